"""Changes of many aggregates in one write (``AggregateStore.change_many``) on the real database.

A burst of submissions or messages changes many documents at once; read and written one by one,
each costs two round trips. The batch must keep every guarantee of ``change``: a document's
writers are serialised with the single-document path (FerretDB loses concurrent updates of one
document otherwise), a decision that changes nothing writes nothing, and the events a write leaves
in an outbox reach the relay.
"""

import asyncio
import uuid

from pymongo import AsyncMongoClient

from shared.db.aggregates import AggregateStore
from shared.decisions import Decision, Pending


def count(step: int, event: bool = False):
    def decide(state, version):
        n = (state or {}).get("n", 0) + step
        return Decision({"n": n}, [Pending("t", {"id": uuid.uuid4().hex, "n": n})] if event else [])

    return decide


async def test_a_batch_creates_and_changes_documents_and_hands_its_events_to_the_relay(infra):
    client = AsyncMongoClient(infra.mongodb, timeoutMS=10000)
    collection = client[f"b{uuid.uuid4().hex[:8]}"]["aggregates"]
    told: list[str] = []
    store = AggregateStore(collection, on_outbox=lambda i, doc: told.append(i))
    try:
        await store.change("old", count(5))
        written = await store.change_many({"old": count(1, event=True), "new": count(2), "same": lambda s, v: None})
        assert written["old"]["state"] == {"n": 6} and written["old"]["version"] == 2 and written["old"]["state_version"] == 2
        assert written["new"]["state"] == {"n": 2} and written["new"]["version"] == 1
        assert written["same"] is None
        stored = {d["_id"]: d async for d in collection.find({})}
        assert stored == {"old": written["old"], "new": written["new"]}  # "same" was never written
        assert told == ["old"] and [p["event"]["n"] for p in stored["old"]["outbox"]] == [6]
    finally:
        await client.drop_database(collection.database.name)
        await client.close()


async def test_batches_and_single_changes_of_the_same_documents_lose_no_update(infra):
    """50 batches over ten shared counters and 100 single changes of two of them, all at once:
    every increment is kept. Without the keyed locks around the batch, FerretDB keeps a fraction."""
    client = AsyncMongoClient(infra.mongodb, timeoutMS=30000)
    collection = client[f"b{uuid.uuid4().hex[:8]}"]["aggregates"]
    store = AggregateStore(collection)
    ids = [f"c{n}" for n in range(10)]
    try:
        batches = [store.change_many({i: count(1) for i in ids}) for _ in range(50)]
        singles = [store.change(ids[n % 2], count(1)) for n in range(100)]
        await asyncio.gather(*batches, *singles)
        stored = {d["_id"]: d["state"]["n"] async for d in collection.find({})}
        assert stored == {i: 50 + (50 if i in ids[:2] else 0) for i in ids}
    finally:
        await client.drop_database(collection.database.name)
        await client.close()
