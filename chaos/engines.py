"""The chaos run's own engines: Kafka, PostgreSQL and FerretDB from deploy/local/infra.py, on
other ports and in another directory, so a run never touches the platform of `make run` or
the tests. The jars and the FerretDB binary are copied from the main platform's cache when it
has them (saving Maven and a Go build); otherwise infra.py fetches and builds them itself."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "deploy" / "local" / "infra.py"
MAIN_CACHE = ROOT / ".cache" / "infra"
HOME = Path(os.environ.get("OM_CHAOS_DIR") or ROOT / ".cache" / "chaos").resolve()
INFRA_DIR = HOME / "infra"

PORTS = {"OM_KAFKA_PORT": 29092, "OM_KAFKA_CONTROLLER_PORT": 29093, "OM_PG_PORT": 25432, "OM_FERRETDB_PORT": 28027}


def infra_env() -> dict[str, str]:
    return {**os.environ, "OM_INFRA_DIR": str(INFRA_DIR), **{k: str(v) for k, v in PORTS.items()}}


def infra(*args: str, check: bool = True) -> str:
    done = subprocess.run([sys.executable, str(INFRA), *args], env=infra_env(), capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"infra.py {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def seed_from_main_cache() -> None:
    for part in ("kafka/libs", "ferretdb/bin"):
        source, target = MAIN_CACHE / part, INFRA_DIR / part
        if source.is_dir() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(source, target)


def fresh() -> dict[str, str]:
    """Stop what an earlier run left, purge its data, start clean; returns the engines' env."""
    seed_from_main_cache()
    infra("down", "--purge", check=False)
    infra("up")
    return endpoints()


def endpoints() -> dict[str, str]:
    return dict(line.split("=", 1) for line in infra("env").splitlines() if "=" in line)


def down() -> None:
    infra("down", check=False)


def _pid(engine: str) -> int | None:
    path = INFRA_DIR / ("pg/data/postmaster.pid" if engine == "postgres" else f"pids/{engine}.pid")
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def crash(*engines: str) -> list[int]:
    """Kill the engines without a clean shutdown: SIGKILL for Kafka and FerretDB; SIGQUIT for
    PostgreSQL's postmaster, its "immediate" stop (no checkpoint, WAL recovery at the next start)
    — a SIGKILL would leave its backends holding the shared memory and block the restart."""
    killed = []
    for engine in engines:
        pid = _pid(engine)
        if not pid:
            continue
        try:
            os.kill(pid, signal.SIGQUIT if engine == "postgres" else signal.SIGKILL)
            killed.append(pid)
        except ProcessLookupError:
            continue
        deadline = time.monotonic() + 30
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    return killed


def restart_missing() -> None:
    """infra.py up starts whichever engine is not running (PostgreSQL recovers from its WAL)."""
    infra("up")


def log_files() -> list[Path]:
    return sorted((INFRA_DIR / "logs").glob("*")) if (INFRA_DIR / "logs").is_dir() else []
