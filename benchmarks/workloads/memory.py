"""Peak RSS (VmHWM) of each service process over the run: < 300 MB each."""

from benchmarks.common import RUN_DIR, Result

SERVICES = ("registry", "scheduling", "notifications", "reporting")


def peaks() -> dict[str, float | None]:
    out = {}
    for service in SERVICES:
        try:
            pid = int((RUN_DIR / "pids" / f"{service}.pid").read_text())
            status = open(f"/proc/{pid}/status").read()
            kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
            out[service] = round(kb / 1024, 1)
        except (OSError, ValueError, StopIteration):
            out[service] = None
    return out


async def run(ctx, size: str) -> Result:
    p = peaks()
    known = [v for v in p.values() if v is not None]
    if not known:
        return Result("memory: peak RSS per service", None, "MB", goal="< 300 MB each", status="not run", details={"reason": "no service pids"})
    worst = max(known)
    return Result("memory: peak RSS per service (max)", worst, "MB", ceiling=300, ceiling_name="goal", ratio=round(worst / 300, 2),
                  goal="< 300 MB each", passed=worst < 300, details={"peak_mb": p, "note": "VmHWM since each process started"})
