"""Reporting rebuild: POST /v1/rebuild replays every topic reporting reads from offset 0 into a fresh
database and compares every figure with the live (incremental) ones. The topics hold whatever this
platform has seen (demo data, the earlier workloads' events); the figure is scaled to 1,000,000
events linearly — an extrapolation, said so in the details. The goal needs < 60 s for 1,000,000."""

import time

import httpx

from benchmarks.common import Result

TARGET = 1_000_000


async def run(ctx, size: str) -> Result:
    async with httpx.AsyncClient(timeout=900) as http:
        started = time.perf_counter()
        r = await http.post(f"{ctx.url('reporting')}/v1/rebuild", headers=ctx.staff("analyst"))
        elapsed = time.perf_counter() - started
        r.raise_for_status()
        body = r.json()
    events = body["events"] + body["skipped"]
    per_s = events / elapsed if elapsed else 0
    projected = TARGET / per_s if per_s else None
    return Result(f"reporting rebuild: {events:,} events replayed (→ 1,000,000 extrapolated)", projected and round(projected, 1),
                  "s for 1 M events (extrapolated)", ceiling=ctx.ceilings.get("aiokafka_consume_per_s") and round(TARGET / ctx.ceilings["aiokafka_consume_per_s"], 1),
                  ceiling_name="1 M at raw aiokafka consume rate, s", ratio=projected and round(projected / 60, 2),
                  goal="< 60 s, figures identical", passed=body["equal"] and projected is not None and projected < 60,
                  details={"events": body["events"], "skipped": body["skipped"], "elapsed_s": round(elapsed, 2), "events_per_s": round(per_s, 1),
                           "equal": body["equal"], "differences": body["differences"][:10], "measured_not_1M": True})
