"""What replicas cost: the workloads that replicas and write leases can change, measured again with
one process per service and write leases off, beside the figures the run measured on the platform
as ``make run`` runs it (two replicas of each service behind the local proxy, write leases, each
service signed in to Kafka as its own principal). Same engines, same run.

It restarts the platform's services (``deploy/local/services.py``, which ``make bench`` owns):
stop, start one process each with ``WRITE_LEASES=false``, run ``COMPARED`` again on a context of
their own, stop, and start them again as they were found, whatever happened in between.

Each row: figure = as ``make run`` runs it, versus = one process each, ratio = the first / the
second; the same-run ceiling is the first's (its engine ceiling or, for the programme API, the
bare web server's). The end to end runs at the same rate in both (half the first's ingest rate),
so its two p99s are at one offered load. At small size it is not run (two restarts of the platform)
unless ``BENCH_REPLICAS_SMALL=1`` asks for it: a quick comparison where the full one takes too long.
"""

import asyncio
import importlib
import os
import subprocess
import sys
import uuid

from benchmarks.common import ROOT, RUN_DIR, Ctx, Result, platform_env

COMPARED = ("ingest", "e2e", "rush", "programme_api")
SERVICES = [sys.executable, str(ROOT / "deploy" / "local" / "services.py")]
SINGLE = {"OM_REPLICAS": "1", "WRITE_LEASES": "false"}


def _replicas_running() -> int:
    kept = RUN_DIR / "replicas"
    return int(kept.read_text()) if kept.exists() else 1


def _restart(overrides: dict[str, str]) -> None:
    """Stop the platform's services and start them with ``overrides`` in their environment."""
    subprocess.run([*SERVICES, "stop"], check=True, capture_output=True)
    env = {**{k: v for k, v in os.environ.items() if k not in SINGLE}, **overrides}
    for _ in range(3):  # again: replicas starting together may race to make one index, a loaded database time out
        done = subprocess.run([*SERVICES, "start"], env=env, capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return
    raise RuntimeError(f"services did not start with {overrides}: {done.stdout[-2000:]}{done.stderr[-2000:]}")


def _not_run(reason: str) -> list[Result]:
    return [Result("replicas vs one process each", None, "", goal="measured, no goal", status="not run", details={"reason": reason})]


async def _single_process(ctx: Ctx, size: str, names: list[str]) -> tuple[dict[str, Result], str]:
    """Each of ``names`` run again, in order, on the platform restarted one process each; and why
    the platform could not be restarted as found afterwards ("" when it was)."""
    replicas = _replicas_running()
    await asyncio.to_thread(_restart, SINGLE)
    measured: dict[str, Result] = {}
    try:
        single = Ctx(env=platform_env(), run_id=uuid.uuid4().hex[:6], out_dir=ctx.out_dir, ceilings=ctx.ceilings, quiet=ctx.quiet)
        for name in names:
            print(f"[bench] replicas: {name}, one process each …", file=sys.stderr, flush=True)
            made = await importlib.import_module(f"benchmarks.workloads.{name}").run(single, size)
            measured[name] = made[0] if isinstance(made, list) else made
            if name == "ingest" and ctx.shared.get("ingest_rate"):  # the end to end at the same offered load as the first
                single.shared["ingest_rate"] = ctx.shared["ingest_rate"]
    finally:
        try:
            await asyncio.to_thread(_restart, {"OM_REPLICAS": str(replicas)})
            not_restored = ""
        except RuntimeError as exc:  # the figures measured stay; the row below says what is left to do
            not_restored = str(exc)
    return measured, not_restored


def _row(a: Result, b: Result) -> Result:
    ratio = round(a.figure / b.figure, 2) if a.figure and b.figure else None
    versus = {"a": a.figure, "a_label": "2 replicas, leases, own principals", "b": b.figure, "b_label": "1 process each, no lease",
              "ceiling": a.ceiling, "ceiling_name": a.ceiling_name}
    return Result(f"replicas vs one process: {a.workload}", a.figure, a.unit, ceiling=b.figure, ceiling_name="1 process each, no lease",
                  ratio=ratio, goal="measured, no goal", status="run" if ratio else "failed",
                  details={"versus": versus, "one_process": b.as_dict()})


async def run(ctx, size: str) -> list[Result]:
    if size == "small" and os.environ.get("BENCH_REPLICAS_SMALL") != "1":
        return _not_run("full size only (or BENCH_REPLICAS_SMALL=1): it restarts the platform twice")
    first = {name: rows[0] for name, rows in ctx.shared.get("made", {}).items() if name in COMPARED and rows and rows[0].status == "run"}
    if not first:
        return _not_run(f"none of {', '.join(COMPARED)} ran in this run")
    if _replicas_running() < 2:
        return _not_run("the platform runs one process per service (start it with OM_REPLICAS=2, as make run does)")
    second, not_restored = await _single_process(ctx, size, [n for n in COMPARED if n in first])
    rows = [_row(first[n], second[n]) for n in first if n in second]
    if not_restored:
        rows.append(Result("replicas: the platform restarted as found", None, "", goal="restarted", status="failed",
                           details={"reason": not_restored}))
    return rows
