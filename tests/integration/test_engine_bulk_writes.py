"""Bulk writes of different aggregates at once, on the engine the launcher runs.

FerretDB v1 answers an update command by opening one PostgreSQL query per update in it and
keeping each open until the whole command ends, then taking one more connection for each write's
transaction. Four bulks of 20 at once asked for 84 connections of a pool of 50 (its default):
each held part and waited for more, and FerretDB stopped answering every client, ``ping`` too,
until restarted. The launcher gives FerretDB a pool that fits what our clients can ask at once
(``deploy/local/launcher/common.py``); this test fails, and leaves that FerretDB hung, without it.
"""

import asyncio
import uuid

from pymongo import AsyncMongoClient

from shared.db.aggregates import AggregateStore
from shared.decisions import Decision

BATCHES, PER_BATCH = 6, 20  # 6 × (20 + 1) connections at once: above 50, within the launcher's pool


def bump(state, version):
    return Decision({"n": (state or {}).get("n", 0) + 1})


async def test_batches_of_different_aggregates_written_at_once_all_land(infra):
    client = AsyncMongoClient(infra.mongodb, maxPoolSize=BATCHES + 2, timeoutMS=20000)
    collection = client[f"bulk{uuid.uuid4().hex[:8]}"]["aggregates"]
    store = AggregateStore(collection)
    batches = [[f"a{b}-{n}" for n in range(PER_BATCH)] for b in range(BATCHES)]
    try:
        # Created first, so each batch below is one bulk of guarded replaces (the heavy kind).
        await store.change({i: bump for ids in batches for i in ids}, new=True)
        for _ in range(3):
            written = await asyncio.wait_for(
                asyncio.gather(*(store.change({i: bump for i in ids}) for ids in batches)), timeout=60
            )
            assert all(c.written for w in written for c in w.values())
        stored = {d["_id"]: d["state"]["n"] async for d in collection.find({})}
        assert stored == {i: 4 for ids in batches for i in ids}
    finally:
        await client.drop_database(collection.database.name)
        await client.close()
