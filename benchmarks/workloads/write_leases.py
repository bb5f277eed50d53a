"""What one writer per document across replicas costs: the storage port's changes per second with
write leases (two replicas: two clients, two stores of one collection) beside the same changes in
one process without leases (its in-process lock only), on the same engines in the same run.

Two shapes: changes spread over many aggregates (a registration's or a submission's own
document), and every change to one hot aggregate (a session's seat book in a rush). The ceiling
of each row is the one-process figure: what the leases take away is the ratio.
"""

import asyncio
import time
import uuid

from pymongo import AsyncMongoClient

from benchmarks.common import Result
from shared.db.aggregates import AggregateStore, change_one
from shared.db.indexes import ensure_indexes
from shared.db.keyed_lock import KeyedLock
from shared.db.leases import INDEXES, WriteLeases
from shared.decisions import Decision

SIZES = {"full": {"spread": 3_000, "hot": 600, "concurrency": 32}, "small": {"spread": 300, "hot": 100, "concurrency": 16}}


def add_one(state, _version):
    return Decision({"n": (state or {}).get("n", 0) + 1})


async def _changes_per_s(env: dict, database: str, replicas: int, leases: bool, ids: list[str], concurrency: int) -> tuple[float, int]:
    """Changes of ``ids`` (one each, in order) by ``replicas`` stores side by side; returns (changes/s,
    the count the documents hold afterwards: equal to ``len(ids)`` when nothing was lost)."""
    clients = [AsyncMongoClient(env["MONGODB_URL"], maxPoolSize=8, timeoutMS=60000) for _ in range(replicas)]
    db = clients[0][database]
    await ensure_indexes(db, INDEXES, env.get("FERRETDB_POSTGRESQL_URL"))
    stores, beats = [], []
    for client in clients:
        lease = WriteLeases(client[database], "bench") if leases else None
        stores.append(AggregateStore(client[database]["counters"], lease.scope("counters") if lease else KeyedLock()))
        if lease:
            beats.append(asyncio.create_task(lease.run()))
    slots, queue = asyncio.Semaphore(concurrency), list(enumerate(ids))

    async def one(n: int, aggregate_id: str) -> None:
        async with slots:
            await change_one(stores[n % replicas], aggregate_id, add_one)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(one(n, i) for n, i in queue))
        rate = len(ids) / (time.perf_counter() - started)
        held = sum([d["state"]["n"] async for d in db["counters"].find({}, {"state": 1})])
    finally:
        for beat in beats:
            beat.cancel()
        await clients[0].drop_database(database)
        for client in clients:
            await client.close()
    return rate, held


async def run(ctx, size: str) -> list[Result]:
    s, results = SIZES[size], []
    for shape, ids in (("spread over many documents", [f"a{n}" for n in range(s["spread"])]), ("one hot document", ["hot"] * s["hot"])):
        alone, _ = await _changes_per_s(ctx.env, f"bench_{ctx.run_id}_{uuid.uuid4().hex[:4]}", 1, False, ids, s["concurrency"])
        leased, held = await _changes_per_s(ctx.env, f"bench_{ctx.run_id}_{uuid.uuid4().hex[:4]}", 2, True, ids, s["concurrency"])
        results.append(Result(f"write leases, 2 replicas: changes {shape}", round(leased), "changes/s", ceiling=round(alone),
                              ceiling_name="1 process, no lease", ratio=round(leased / alone, 2), goal="nothing lost",
                              passed=held == len(ids), details={"changes": len(ids), "held_afterwards": held, **s}))
    return results
