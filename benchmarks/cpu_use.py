"""CPU seconds each process of the platform used during a workload, from /proc.

On 2 cores the services, Kafka, PostgreSQL and FerretDB share the CPU, so a figure is often set
by where the CPU went rather than by one slow step: a workload that keeps the cores busy names
its limit by this split (which process, and how much per operation). Read for the services from
``.cache/run/pids/``, for Kafka and FerretDB from the launcher's pid files, and for PostgreSQL as
the postmaster with its live backends and those already gone (the kernel adds a reaped child's
time to its parent's ``cutime``/``cstime``).
"""

import os
from pathlib import Path

from benchmarks.common import INFRA_DIR, RUN_DIR

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # fields from the third on: state, ppid, …


def _seconds(fields: list[str], children: bool = False) -> float:
    # utime, stime (and cutime, cstime) are the 14th–17th fields; ``fields`` starts at the 3rd.
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if children else 0)
    return ticks / TICK


def _pid_file(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _postgres(postmaster: int) -> float:
    own = _stat(postmaster)
    if own is None:
        return 0.0
    total = _seconds(own, children=True)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[1] == str(postmaster):
                total += _seconds(fields)
    return total


def snapshot() -> dict[str, float]:
    """CPU seconds so far of each process found: the services, kafka, ferretdb and postgres."""
    pids = {p.stem: _pid_file(p) for p in sorted((RUN_DIR / "pids").glob("*.pid"))}
    pids |= {name: _pid_file(INFRA_DIR / "pids" / f"{name}.pid") for name in ("kafka", "ferretdb")}
    out = {}
    for name, pid in pids.items():
        fields = _stat(pid) if pid else None
        if fields is not None:
            out[name] = _seconds(fields)
    postmaster = _pid_file(INFRA_DIR / "pg" / "data" / "postmaster.pid")
    if postmaster:
        out["postgres"] = _postgres(postmaster)
    return out


def process_seconds(pid: int) -> float | None:
    """CPU seconds so far of one process (a workload's own, e.g. the fan-out's private service)."""
    fields = _stat(pid)
    return round(_seconds(fields), 1) if fields is not None else None


def used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds used between two snapshots, per process, largest first."""
    spent = {k: round(after[k] - before.get(k, 0.0), 1) for k in after}
    return dict(sorted(spent.items(), key=lambda kv: -kv[1]))
