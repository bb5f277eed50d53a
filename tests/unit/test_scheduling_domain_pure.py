"""Scheduling's domain is pure: every module under services/scheduling/domain/ loads without a
database, Kafka or web package, so its decisions cannot do I/O."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCKED = ("shared.db", "pymongo", "bson", "motor", "aiokafka", "fastapi", "starlette", "httpx")

# Run in a fresh interpreter: refuse every blocked package (and its submodules) at import, then
# load every domain module.
PROBE = textwrap.dedent(
    f"""
    import importlib, importlib.abc, pkgutil, sys

    BLOCKED = {BLOCKED!r}

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if any(name == b or name.startswith(b + ".") for b in BLOCKED):
                raise ImportError(f"blocked import of {{name}}")
            return None

    sys.meta_path.insert(0, Refuse())
    import services.scheduling.domain as domain

    modules = [m.name for m in pkgutil.iter_modules(domain.__path__)]
    assert "sessions" in modules and "seats" in modules, modules
    for name in modules:
        importlib.import_module(f"services.scheduling.domain.{{name}}")
    """
)


def test_every_domain_module_loads_without_a_database_kafka_or_web_package():
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
