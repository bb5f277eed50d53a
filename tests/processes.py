"""Services as operators run them: their own process, configured by environment, until ready."""

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.endpoints import Endpoints
from tests.platform import eventually, staff_env

ROOT = Path(__file__).resolve().parents[1]


def service_env(infra: Endpoints, service: str, prefix: str, port: int, **extra: str) -> dict[str, str]:
    """The environment of one service process on this run's topics and its own database."""
    return {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "MONGODB_URL": infra.mongodb,
        "FERRETDB_POSTGRESQL_URL": infra.ferretdb_postgresql or "",
        "MONGODB_DATABASE": f"{prefix.rstrip('.')}_{service}",
        "TOPIC_PREFIX": prefix,
        "HTTP_PORT": str(port),
        "LOG_JSON": "true",
        "STAFF_API_KEYS": staff_env(),
        **extra,
    }


def start_service(service: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", f"services.{service}"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


async def wait_ready(base: str, timeout: float = 60) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:

        async def answers():
            try:
                return (await http.get("/readyz")).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(answers, timeout=timeout, what=f"{base} to be ready")
