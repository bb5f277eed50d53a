"""The benchmark harness: the platform measured against its own engines' ceilings, in one run.

    python -m benchmarks.run [--size full|small] [--only ceilings,ingest,...] [--out benchmarks/results]

Uses the running platform (deploy/local/services.py env) or starts it (infra up, services start).
Prints one table (workload, figure, ceiling, ratio, goal, pass/fail), writes the raw results as
JSON and a Markdown summary, and a latency histogram as PNG, under benchmarks/results/.
"""

import argparse
import asyncio
import importlib
import os
import platform
import subprocess
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import cpu_use
from benchmarks.common import ROOT, Ctx, Result, dumps, platform_env

# ceilings first (every ratio needs them), memory last of the platform as found (peak over the whole
# run), then replicas: it restarts the services one process each, runs some workloads again and
# restarts them as they were
ORDER = ["ceilings", "signing_in", "lookups", "write_leases", "ingest", "e2e", "rush", "programme_api", "staff_queries", "fanout", "rebuild", "memory", "replicas"]
COLUMNS = ["workload", "figure", "unit", "ceiling", "ratio", "goal", "result"]
VERSUS = ["compared", "figure", "versus", "ratio", "unit", "ceiling, this run"]


def ensure_platform() -> None:
    services = [sys.executable, str(ROOT / "deploy" / "local" / "services.py")]
    if subprocess.run([*services, "status"], capture_output=True).returncode == 0:
        return
    subprocess.run(["python3", str(ROOT / "deploy" / "local" / "infra.py"), "up"], check=True)
    subprocess.run([*services, "start"], check=True, env={"OM_REPLICAS": "2", **os.environ})  # as make run starts it


def fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.0f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def verdict(r: Result) -> str:
    if r.status != "run":
        return r.status
    return "—" if r.passed is None else ("pass" if r.passed else "FAIL")


def rows(results: list[Result]) -> list[list[str]]:
    return [[r.workload, fmt(r.figure), r.unit, fmt(r.ceiling) + (f" ({r.ceiling_name})" if r.ceiling_name and r.ceiling is not None else ""),
             fmt(r.ratio), r.goal, verdict(r)] for r in results]


def table(results: list[Result]) -> str:
    return _markdown(COLUMNS, rows(results))


def versus_table(results: list[Result]) -> str:
    """The rows that set two figures side by side (``details["versus"]``: replicas against one
    process each, signed in against PLAINTEXT): both, their ratio and the same run's ceiling."""
    body = [[f"{r.workload} ({v['a_label']} / {v['b_label']})", fmt(v["a"]), fmt(v["b"]), fmt(r.ratio), r.unit,
             fmt(v["ceiling"]) + (f" ({v['ceiling_name']})" if v["ceiling"] is not None else "")]
            for r in results if (v := r.details.get("versus"))]
    return _markdown(VERSUS, body) if body else ""


def _markdown(columns: list[str], body: list[list[str]]) -> str:
    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    out += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in body]
    return "\n".join(out)


def histogram(ctx: Ctx, path: Path) -> bool:
    series = {k: v for k, v in (("end to end: publish → counted (ms)", ctx.shared.get("e2e_latencies_ms")),
                                ("registration rush: request latency (ms)", ctx.shared.get("rush_latencies_ms"))) if v}
    if not series:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(series), 1, figsize=(8, 3.2 * len(series)), squeeze=False)
    for ax, (title, values) in zip(axes[:, 0], series.items(), strict=True):
        ax.hist(values, bins=50, color="#1f6f8b")
        ax.set_title(title)
        ax.set_xlabel("ms")
        ax.set_ylabel("count")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


async def run_all(size: str, only: list[str], out: Path, quiet: bool) -> tuple[list[Result], dict]:
    env = platform_env()
    ctx = Ctx(env=env, run_id=uuid.uuid4().hex[:6], out_dir=out, quiet=quiet)
    results: list[Result] = []
    timings, ctx.shared["made"] = {}, {}  # each workload's rows, for the workloads after it (replicas)
    for name in only:
        module = importlib.import_module(f"benchmarks.workloads.{name}")
        print(f"[bench] {name} …", file=sys.stderr, flush=True)
        started, cpu_before = time.perf_counter(), cpu_use.snapshot()
        try:
            made = await module.run(ctx, size)  # one row, or several (a figure beside its variants)
        except Exception as exc:  # one workload failing must not lose the others' figures
            traceback.print_exc()
            made = Result(name, None, "", goal="", status="failed", details={"error": repr(exc)})
        timings[name] = round(time.perf_counter() - started, 1)
        ctx.shared["made"][name] = made if isinstance(made, list) else [made]
        cpu = cpu_use.used(cpu_before, cpu_use.snapshot())  # where the 2 cores went
        for r in made if isinstance(made, list) else [made]:
            r.details["wall_s"], r.details["cpu_s"] = timings[name], cpu
            results.append(r)
            print(f"[bench] {name}: {fmt(r.figure)} {r.unit} → {verdict(r)} ({timings[name]} s)", file=sys.stderr, flush=True)
    return results, {"ceilings": ctx.ceilings, "ctx": ctx}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("full", "small"), default="full")
    parser.add_argument("--only", default=",".join(ORDER), help="comma-separated workloads, run in the harness's order")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument("--no-start", action="store_true", help="fail rather than start the platform")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = set(wanted) - set(ORDER)
    if unknown:
        parser.error(f"unknown workloads: {sorted(unknown)}; known: {ORDER}")
    only = [w for w in ORDER if w in wanted]
    if not args.no_start:
        ensure_platform()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    results, extra = asyncio.run(run_all(args.size, only, out, args.quiet))
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    machine = {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(), "load_avg_at_end": os.getloadavg()}
    png = out / f"{stamp}-latency.png"
    has_png = histogram(extra["ctx"], png)
    report = {"started": started.isoformat(), "size": args.size, "machine": machine, "columns": COLUMNS,
              "ceilings": extra["ceilings"], "results": [r.as_dict() for r in results], "histogram": str(png) if has_png else None}
    (out / f"{stamp}.json").write_text(dumps(report))
    text = table(results)
    if versus := versus_table(results):
        text += "\n\nSide by side (ratio = figure / versus):\n\n" + versus
    md = [f"# Benchmark run {started:%Y-%m-%d %H:%M} UTC", "", f"Size `{args.size}`, {machine['cores']} cores, {machine['platform']}, Python {machine['python']}.", "",
          text, "", "## Ceilings measured in this run", "", "| ceiling (unit in its name) | value |", "|---|---|"]
    md += [f"| {k} | {v:,.0f} |" for k, v in extra["ceilings"].items()]
    md += ["", "## Details", ""] + [f"- **{r.workload}**: `{dumps(r.details)}`".replace("\n", " ") for r in results]
    if has_png:
        md += ["", f"![latency histogram]({png.name})"]
    (out / f"{stamp}.md").write_text("\n".join(md) + "\n")
    print("\n" + text + "\n")
    print(f"results: {out / (stamp + '.json')}, {out / (stamp + '.md')}" + (f", {png}" if has_png else ""))
    return 0 if all(r.status != "failed" for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
