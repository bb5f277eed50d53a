"""The deployment files agree with the code: docker-compose.yml (deploy/kubernetes/: test_kubernetes_*.py).

Nothing here runs a container. The files are read as YAML and checked against the services'
settings classes, so a wrong port, a typo in a setting's name or a missing health check
fails here instead of in a deployment.
"""

import importlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"

SERVICES = ("registry", "scheduling", "notifications", "reporting")


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def settings_class(name: str) -> type[ServiceSettings]:
    """The one ServiceSettings subclass defined in ``services.<name>.settings``."""
    module = importlib.import_module(f"services.{name}.settings")
    found = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, ServiceSettings) and v is not ServiceSettings and v.__module__ == module.__name__
    ]
    assert len(found) == 1, f"services.{name}.settings should define one settings class, found {found}"
    return found[0]


def default_port(name: str) -> int:
    port = settings_class(name).model_fields["http_port"].default
    assert isinstance(port, int), f"{name}: http_port has no integer default"
    return port


def environment(service: dict) -> dict[str, str]:
    """A compose service's environment as a dict, whether written as a mapping or a list."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {str(k): (None if v is None else str(v)) for k, v in env.items()}


def command(service: dict) -> list[str]:
    cmd = service.get("command")
    return cmd.split() if isinstance(cmd, str) else [str(c) for c in cmd or []]


def healthcheck_text(service: dict) -> str:
    test = (service.get("healthcheck") or {}).get("test")
    if isinstance(test, list):
        return " ".join(str(t) for t in test)
    return str(test or "")


def service_by_image(compose: dict, image_prefix: str) -> str:
    """The one long-running service of an image; one-shot helpers (``restart: "no"``, e.g. the
    ones that make Kafka's certificates and users) are not it."""
    names = [n for n, s in compose["services"].items() if str(s.get("image", "")).startswith(image_prefix) and s.get("restart") != "no"]
    assert len(names) == 1, f"expected one compose service with image {image_prefix}*, found {names}"
    return names[0]


def kafka_advertised_addresses(compose: dict) -> set[str]:
    """host:port of each listener the compose Kafka advertises under its own service name."""
    kafka_name = service_by_image(compose, "apache/kafka")
    advertised = environment(compose["services"][kafka_name]).get("KAFKA_ADVERTISED_LISTENERS")
    assert advertised, "the kafka service has no KAFKA_ADVERTISED_LISTENERS"
    addresses = set()
    for listener in advertised.split(","):
        # e.g. SASL_SSL://kafka:9092 (a listener's name is no URL scheme: it may hold "_")
        host, _, port = listener.strip().partition("://")[2].rpartition(":")
        if host == kafka_name:
            addresses.add(f"{host}:{int(port)}")
    assert addresses, f"no advertised listener of {advertised!r} names the compose service {kafka_name!r}"
    return addresses


def published_ports(service: dict) -> list[tuple[str | None, int, int]]:
    """(host ip, published port, container port) of each short-syntax or long-syntax port."""
    out = []
    for p in service.get("ports") or []:
        if isinstance(p, dict):
            out.append((p.get("host_ip"), int(p["published"]), int(p["target"])))
            continue
        parts = str(p).split("/")[0].split(":")
        if len(parts) == 3:
            out.append((parts[0], int(parts[1]), int(parts[2])))
        elif len(parts) == 2:
            out.append((None, int(parts[0]), int(parts[1])))
        else:
            out.append((None, int(parts[0]), int(parts[0])))
    return out


@pytest.fixture
def compose() -> dict:
    return load_compose()


# --- docker-compose.yml -------------------------------------------------------------------


def test_backing_services_have_healthchecks(compose):
    for image in ("apache/kafka", "mongo"):
        name = service_by_image(compose, image)
        assert healthcheck_text(compose["services"][name]).strip(), f"{name} has no healthcheck"


@pytest.mark.parametrize("name", SERVICES)
def test_compose_service_runs_its_module(compose, name):
    assert name in compose["services"], f"docker-compose.yml has no service {name!r}"
    service = compose["services"][name]
    cmd = command(service)
    assert cmd[-2:] == ["-m", f"services.{name}"], f"{name}: command {cmd} does not run services.{name}"
    assert "build" in service, f"{name}: not built from the project's Dockerfile"


@pytest.mark.parametrize("name", SERVICES)
def test_compose_service_reaches_kafka_and_mongodb(compose, name):
    env = environment(compose["services"][name])
    bootstrap = [s.strip() for s in (env.get("KAFKA_BOOTSTRAP_SERVERS") or "").split(",") if s.strip()]
    assert bootstrap, f"{name}: KAFKA_BOOTSTRAP_SERVERS is not set"
    advertised = kafka_advertised_addresses(compose)
    for server in bootstrap:
        assert server in advertised, f"{name}: KAFKA_BOOTSTRAP_SERVERS {server!r} is not an advertised listener {advertised}"

    mongo_name = service_by_image(compose, "mongo")
    url = env.get("MONGODB_URL") or ""
    assert urlsplit(url).hostname == mongo_name, f"{name}: MONGODB_URL {url!r} does not point at the {mongo_name!r} service"
    assert env.get("MONGODB_DATABASE") == name, f"{name}: MONGODB_DATABASE should be {name!r}"
    assert env.get("HTTP_HOST") == "0.0.0.0", f"{name}: HTTP_HOST must be 0.0.0.0 in a container"


@pytest.mark.parametrize("name", SERVICES)
def test_compose_ports_match_the_settings_default(compose, name):
    service = compose["services"][name]
    port = default_port(name)
    env = environment(service)
    assert env.get("HTTP_PORT") == str(port), f"{name}: HTTP_PORT {env.get('HTTP_PORT')} but the settings default to {port}"

    ports = published_ports(service)
    assert ports == [("127.0.0.1", port, port)], f"{name}: ports {ports}, expected 127.0.0.1:{port}:{port} only"

    urls = re.findall(r"https?://(?:127\.0\.0\.1|localhost):(\d+)(/\S*?)['\"\s]", healthcheck_text(service) + " ")
    assert urls, f"{name}: the healthcheck calls no local URL"
    for url_port, path in urls:
        assert int(url_port) == port, f"{name}: the healthcheck calls port {url_port}, the service listens on {port}"
        assert path == "/readyz", f"{name}: the healthcheck calls {path}, expected /readyz"


@pytest.mark.parametrize("name", SERVICES)
def test_compose_service_waits_for_healthy_backing_services(compose, name):
    depends = compose["services"][name].get("depends_on")
    assert isinstance(depends, dict), f"{name}: depends_on must be the long form with conditions"
    for backing in (service_by_image(compose, "apache/kafka"), service_by_image(compose, "mongo")):
        assert backing in depends, f"{name}: does not depend on {backing}"
        assert depends[backing].get("condition") == "service_healthy", f"{name}: {backing} is not awaited as healthy"


@pytest.mark.parametrize("name", SERVICES)
def test_compose_environment_names_real_settings(compose, name):
    fields = settings_class(name).model_fields
    unknown = sorted(k for k in environment(compose["services"][name]) if k.lower() not in fields)
    assert not unknown, f"{name}: no such setting(s) in {settings_class(name).__name__}: {unknown}"
