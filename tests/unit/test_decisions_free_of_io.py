"""A decision is pure: the module that defines ``Decision`` and ``Pending`` loads without any
database or Kafka package, so a domain module can import it without bringing I/O types along."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCKED = ("shared.db", "pymongo", "bson", "motor", "aiokafka")

# Run in a fresh interpreter: refuse every blocked package (and its submodules) at import, then
# load the decision module and check that it, not the database package, defines the types.
PROBE = textwrap.dedent(
    f"""
    import importlib.abc, sys

    BLOCKED = {BLOCKED!r}

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if any(name == b or name.startswith(b + ".") for b in BLOCKED):
                raise ImportError(f"blocked import of {{name}}")
            return None

    sys.meta_path.insert(0, Refuse())
    import shared.decisions as decisions

    assert decisions.Decision.__module__ == "shared.decisions", decisions.Decision.__module__
    assert decisions.Pending.__module__ == "shared.decisions", decisions.Pending.__module__
    loaded = sorted(m for m in sys.modules if any(m == b or m.startswith(b + ".") for b in BLOCKED))
    assert not loaded, loaded
    """
)


def test_decision_module_imports_nothing_from_the_database_or_kafka():
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr


def test_the_store_uses_the_decision_types_it_does_not_define_them():
    from shared.db import aggregates

    import shared.decisions as decisions

    assert aggregates.Decision is decisions.Decision
