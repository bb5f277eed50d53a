"""End to end, open loop: submissions published at a fixed rate (half the measured ingest rate);
each one's latency is publish → counted in reporting. "Counted" is observed exactly: reporting
commits a partition's offset only after every message before it took effect (shared/kafka/
consumer.py), so a submission is counted once reporting's committed offset on
registry.initiatives.v1 passes the offset of that submission's re-emitted event. The committed
offsets are polled every 20 ms (the resolution of the figure)."""

import asyncio
import json
import time

from aiokafka.admin import AIOKafkaAdminClient
from shared.kafka.security import client_options

from benchmarks.common import Result, percentile
from benchmarks.workloads.ingest import INITIATIVES, SUBMISSIONS, Tail, producer, register_sources, submission

SIZES = {"full": {"seconds": 20, "max_rate": 1000}, "small": {"seconds": 3, "max_rate": 20}}


async def reporting_groups(admin) -> list[str]:
    """Reporting's groups that count initiatives: each replica's in-memory model's (what its API
    answers from) where there are replicas, else the one group. A group of a replica gone since
    (the replicas workload restarts the platform) is among them but never moves: an event counts as
    counted when the first group passes it (``poll``)."""
    found = []
    for group, _ in [(g[0], g[1]) for g in await admin.list_consumer_groups()]:
        if group.startswith("reporting.") or ".reporting." in group:
            offsets = await admin.list_consumer_group_offsets(group)
            if any(tp.topic == INITIATIVES for tp in offsets):
                found.append(group)
    return [g for g in found if ".memory." in g] or found


async def lag(admin, consumer_group: str, topic: str, ends: dict) -> int:
    offsets = await admin.list_consumer_group_offsets(consumer_group)
    return sum(max(0, end - offsets[tp].offset) for tp, end in ends.items() if tp in offsets and tp.topic == topic)


async def drained(ctx, admin, timeout: float = 180) -> float:
    """Wait until the registry and reporting have caught up (an earlier workload's backlog would
    otherwise be measured as this one's latency); returns the seconds waited."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    started = time.monotonic()
    groups = [g[0] for g in await admin.list_consumer_groups()]
    pairs = [(g, SUBMISSIONS) for g in groups if g.startswith("registry.")] + [(g, INITIATIVES) for g in groups if g.startswith("reporting.")]
    c = AIOKafkaConsumer(bootstrap_servers=ctx.bootstrap, group_id=None, **client_options())
    await c.start()
    await c._client.force_metadata_update()
    try:
        while time.monotonic() - started < timeout:
            behind = 0
            for group, topic in pairs:
                parts = [TopicPartition(topic, p) for p in sorted(c.partitions_for_topic(topic) or ())]
                if parts:
                    behind += await lag(admin, group, topic, await c.end_offsets(parts))
            if behind == 0:
                break
            await asyncio.sleep(1)
    finally:
        await c.stop()
    return time.monotonic() - started


async def run(ctx, size: str) -> Result:
    s = SIZES[size]
    ingest = ctx.shared.get("ingest_rate")
    if not ingest:
        return Result("end to end (open loop)", None, "ms p99", goal="p99 < 500 ms at half the ingest rate", status="not run",
                      details={"reason": "needs the ingest rate: run the ingest workload first"})
    rate = max(1.0, min(ingest / 2, s["max_rate"]))
    n = int(rate * s["seconds"])
    admin = AIOKafkaAdminClient(bootstrap_servers=ctx.bootstrap, **client_options())
    await admin.start()
    groups = await reporting_groups(admin)
    if not groups:
        await admin.close()
        return Result("end to end (open loop)", None, "ms p99", goal="p99 < 500 ms", status="not run", details={"reason": "reporting's consumer group not found"})
    waited = await drained(ctx, admin)
    sources = await register_sources(ctx, 4, "e2e")
    prefix = f"BE-{ctx.run_id}-"
    tail = Tail(ctx, prefix)
    await tail.start()
    snapshots: list[tuple[float, dict[int, int]]] = []
    stop = asyncio.Event()
    poller = asyncio.create_task(poll(admin, groups, snapshots, stop))
    p = producer(ctx)
    await p.start()
    try:
        sent, behind = await publish(ctx, p, sources, prefix, n, rate)
        await until_counted(tail, snapshots, n)
    finally:
        stop.set()
        await asyncio.gather(poller, return_exceptions=True)
        await p.stop()
        await tail.stop()
        await admin.close()
    latencies = [(c - sent[ext]) * 1000 for ext in sent if (c := counted_at(tail.seen, snapshots, ext)) is not None]
    ctx.shared["e2e_latencies_ms"] = latencies
    details = {"publisher_behind_s": round(behind, 3), "poll_resolution_ms": 20,
               "reporting_groups": groups, "waited_for_backlog_s": round(waited, 1), "rate_capped_at": s["max_rate"]}
    return result(latencies, n, rate, details)


async def poll(admin, groups: list[str], snapshots: list[tuple[float, dict[int, int]]], stop: asyncio.Event) -> None:
    """Reporting's committed offsets on INITIATIVES by partition — the furthest of ``groups`` —
    with when they were read, every 20 ms until ``stop``."""
    while not stop.is_set():
        furthest: dict[int, int] = {}
        for group in groups:
            for tp, o in (await admin.list_consumer_group_offsets(group)).items():
                if tp.topic == INITIATIVES:
                    furthest[tp.partition] = max(o.offset, furthest.get(tp.partition, -1))
        snapshots.append((time.perf_counter(), furthest))
        await asyncio.sleep(0.02)


async def publish(ctx, p, sources: list, prefix: str, n: int, rate: float) -> tuple[dict[str, float], float]:
    """``n`` submissions at ``rate`` per second, open loop; returns when each was due, by external id,
    and how many seconds the publisher finished behind its schedule."""
    sent: dict[str, float] = {}
    started = time.perf_counter()
    with ctx.bar(n, f"e2e: open loop at {rate:.0f}/s") as bar:
        for i in range(n):
            due = started + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            e = submission(sources[i % len(sources)], f"{prefix}{i}")
            sent[e["data"]["external_id"]] = time.perf_counter()  # open loop: the clock starts when it is due, not acked
            await p.send(SUBMISSIONS, json.dumps(e, ensure_ascii=False).encode(), key=e["data"]["external_id"].encode())
            bar.update(1)
    await p.flush()
    return sent, time.perf_counter() - (started + n / rate)


async def until_counted(tail: Tail, snapshots: list[tuple[float, dict[int, int]]], n: int, timeout: float = 60) -> None:
    """Until all ``n`` re-emitted events are seen and reporting's last committed offsets pass each (or the time is up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(tail.seen) == n and snapshots and all(snapshots[-1][1].get(pt, -1) > off for pt, off, _ in tail.seen.values()):
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.05)


def counted_at(seen: dict, snapshots: list[tuple[float, dict[int, int]]], ext: str) -> float | None:
    """When reporting's committed offset first passed the re-emitted event of ``ext``, or None."""
    if ext not in seen:
        return None
    part, offset, _ = seen[ext]
    for t, offs in snapshots:
        if offs.get(part, -1) > offset:
            return t
    return None


def result(latencies: list[float], n: int, rate: float, details: dict) -> Result:
    p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
    done = len(latencies) == n
    return Result(f"end to end: publish → counted in reporting, {rate:.0f}/s open loop", p99 and round(p99, 1), "ms p99",
                  ceiling=500, ceiling_name="goal", ratio=p99 and round(p99 / 500, 2), goal="p99 < 500 ms at half the ingest rate",
                  passed=done and p99 is not None and p99 < 500,
                  details={"rate_per_s": round(rate, 1), "submissions": n, "counted": len(latencies), "p50_ms": p50, "p95_ms": p95, "p99_ms": p99,
                           "max_ms": max(latencies, default=None), **details})
