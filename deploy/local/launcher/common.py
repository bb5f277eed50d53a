"""What every engine module shares: the state directory, the ports, and how the launcher speaks.

Every ``OM_*`` environment variable the launcher reads is read here, once, at import."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]  # deploy/local
ROOT = HERE.parents[1]
# OM_INFRA_DIR lets a second, independent set of engines run beside the first (chaos runs).
CACHE = Path(os.environ.get("OM_INFRA_DIR") or ROOT / ".cache" / "infra").resolve()
LOGS = CACHE / "logs"
PIDS = CACHE / "pids"
STARTED_BY_US = CACHE / "started-by-us"

ENGINES = ("kafka", "postgres", "ferretdb")

PROBE_TIMEOUT = 2.0
STOP_TIMEOUT = 30.0


def _port(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    try:
        return int(value)
    except ValueError:
        sys.exit(f"infra: {name}={value!r} is not a port number")


KAFKA_PORT = _port("OM_KAFKA_PORT", 19092)
KAFKA_CONTROLLER_PORT = _port("OM_KAFKA_CONTROLLER_PORT", 19093)
PG_PORT = _port("OM_PG_PORT", 15432)
FERRETDB_PORT = _port("OM_FERRETDB_PORT", 27027)
HOST = "127.0.0.1"

PG_USER = "postgres"
PG_DATABASE = "ferretdb"

# FerretDB's PostgreSQL pool (its default is 50). An update command holds one connection per
# update until the command ends, plus one for each write's transaction: a bulk of 25 needs 26 at
# once. When the commands in flight need more than the pool has, FerretDB stops answering everyone
# until restarted; 400 fits every service and tool running at once (8 connections per client, bulks
# of 25): docs/decisions/0008-small-pools-timeouts-and-small-bulks.md. PostgreSQL's
# max_connections is sized from it (postgres.py).
FERRETDB_POOL = 400


class InfraError(Exception):
    pass


def say(msg: str) -> None:
    # A closed stdout (`infra.py up | head`) must not abort an `up` half-way.
    with contextlib.suppress(BrokenPipeError):
        print(f"[infra] {msg}", flush=True)


def is_root() -> bool:
    return os.geteuid() == 0
