# Öppna Malmö platform. `make run` and `make test` work from a fresh machine: they install
# into .venv and start the project's own Kafka, PostgreSQL and FerretDB (deploy/local/).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
INFRA := python3 deploy/local/infra.py
SERVICES := $(PY) deploy/local/services.py

.PHONY: install run stop test env bench-lookups bench chaos chaos-replicas backup restore

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

## run: the whole platform on local Kafka and FerretDB, with demo data; two replicas of each service
## behind one address per service (HAProxy, deploy/local/proxy.py; OM_REPLICAS=1 for one process each)
run: install
	command -v haproxy >/dev/null || (apt-get update -qq && apt-get install -y -qq haproxy)
	$(INFRA) up
	OM_REPLICAS=$${OM_REPLICAS:-2} $(SERVICES) start
	set -a; eval "$$($(SERVICES) env)"; set +a; $(PY) -m deploy.local.demo_data
	@echo; echo "Öppna Malmö runs:"; $(SERVICES) env | sed 's/^/  /'; \
	  echo "  API docs: http://127.0.0.1:8101/docs (registry), :8102, :8103, :8104"; echo "  stop with: make stop"

## stop: the services, then the engines
stop:
	-$(SERVICES) stop
	$(INFRA) down

## test: install, start what is missing, run every test, stop only what this started
test: install
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	command -v haproxy >/dev/null || (apt-get update -qq && apt-get install -y -qq haproxy)
	command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm)  # Modelina: tests/java_models.py
	command -v javac >/dev/null || (apt-get update -qq && apt-get install -y -qq default-jdk-headless)
	$(INFRA) up
	set -a; eval "$$($(INFRA) env)"; set +a; \
	  $(VENV)/bin/pytest; rc=$$?; \
	  $(INFRA) down --only-started-by-us; exit $$rc

## backup: the services' databases and their consumer groups' offsets (read first) into
## .cache/backups/<UTC time>/, in mongodump's layout (deploy/local/backup.py; docs/reliability.md)
backup: install
	set -a; eval "$$($(INFRA) env)"; set +a; $(PY) -m deploy.local.backup backup

## restore: stop the services, put a backup back (BACKUP=<dir>, default the newest), rewind their
## consumer groups to its offsets, start them again: they catch up from Kafka
restore: install
	-$(SERVICES) stop
	set -a; eval "$$($(INFRA) env)"; set +a; $(PY) -m deploy.local.backup restore $(BACKUP)
	OM_REPLICAS=$${OM_REPLICAS:-2} $(SERVICES) start

## env: KEY=VALUE lines of the running platform
env:
	@$(SERVICES) env

bench-lookups: install
	$(INFRA) up
	set -a; eval "$$($(INFRA) env)"; set +a; $(PY) -m benchmarks.lookup_growth

## bench: every benchmark workload against the running platform (started here if it is not), one table
bench: install
	$(VENV)/bin/pip install -q -e ".[bench]"
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(SERVICES) status >/dev/null || $(MAKE) run
	set -a; eval "$$($(INFRA) env)"; set +a; $(PY) -m benchmarks.run --size full

## chaos: the platform under SIGKILLs and engine crashes, on its own engines (ports 29092, 25432, 28027, 8201-8204); counts, exits 1 on any loss
chaos: install
	$(PY) -m chaos --size full

## chaos-replicas: the same with two replicas of each service behind the local proxy (HAProxy), one of
## each killed again and again while the other serves; also counts the public requests answered without a 5xx
chaos-replicas: install
	command -v haproxy >/dev/null || (apt-get update -qq && apt-get install -y -qq haproxy)
	$(PY) -m chaos --size full --replicas 2
