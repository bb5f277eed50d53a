"""The code keeps the shape docs/architecture.md ("Finding your way") promises the next engineer:
every service laid out alike, small modules and functions, pure domains, one narrow storage port."""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("registry", "scheduling", "notifications", "reporting")
CODE = [p for d in ("services", "shared") for p in sorted((ROOT / d).rglob("*.py"))]
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 300, 60
IO_PACKAGES = ("shared.db", "shared.kafka", "shared.runtime", "pymongo", "bson", "aiokafka", "fastapi", "starlette", "httpx")


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_folders(service):
    root = ROOT / "services" / service
    missing = [p for p in ("main.py", "settings.py", "consumers.py", "domain", "usecases", "adapters", "api/deps.py") if not (root / p).exists()]
    assert not missing, f"{service} lacks {missing}"


def test_no_module_is_longer_than_300_lines():
    long = {_name(p): n for p in CODE if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long, long


def test_no_function_is_longer_than_60_lines():
    long = {}
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{_name(path)}:{node.lineno} {node.name}"] = lines
    assert not long, long


def test_no_part_of_a_service_is_filled_in_after_it_is_built():
    """Routes get what they use through ``Annotated`` dependencies on parts ``create_app`` built;
    no holder object or dict is filled in later."""
    found = []
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.name == "Parts":
                found.append(f"{_name(path)}: class Parts")
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict) and not node.value.keys:
                names = [t.id for t in (node.targets if isinstance(node, ast.Assign) else [node.target]) if isinstance(t, ast.Name)]
                found += [f"{_name(path)}:{node.lineno} {n} = {{}}" for n in names if n in ("holder", "ref", "parts")]
    assert not found, found


def _loads_without_io(code: str) -> None:
    """Run ``code`` in a fresh interpreter that refuses every I/O package at import."""
    probe = textwrap.dedent(
        f"""
        import importlib, importlib.abc, pkgutil, sys
        BLOCKED = {IO_PACKAGES!r}

        class Refuse(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if any(name == b or name.startswith(b + ".") for b in BLOCKED):
                    raise ImportError(f"blocked import of {{name}}")

        sys.meta_path.insert(0, Refuse())
        """
    ) + textwrap.dedent(code)
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]


@pytest.mark.parametrize("service", SERVICES)
def test_a_services_domain_imports_no_io(service):
    """A domain module is pure: its decisions can be read, and tested, without any engine."""
    _loads_without_io(f"""
        import services.{service}.domain as domain
        for info in pkgutil.walk_packages(domain.__path__, domain.__name__ + "."):
            importlib.import_module(info.name)
    """)


def test_what_decisions_are_made_of_is_defined_without_io():
    """``Decision``, ``NoChange``, ``Pending`` and ``Refused`` load without any I/O package, and the
    store uses these types rather than defining its own."""
    _loads_without_io("""
        import shared.decisions, shared.refusals
        assert shared.decisions.Decision.__module__ == "shared.decisions"
    """)
    from shared.db import aggregates
    from shared.decisions import Decision, NoChange

    assert aggregates.Decision is Decision and aggregates.NoChange is NoChange


def test_the_storage_port_has_at_most_six_public_methods():
    from shared.db.aggregates import AggregateStore

    public = sorted(n for n in dir(AggregateStore) if not n.startswith("_") and callable(getattr(AggregateStore, n)))
    assert len(public) <= 6, public
