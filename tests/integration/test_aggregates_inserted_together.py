"""New aggregates from writers running side by side are inserted together, on the real database.

The registry's ingest writes one new initiative per event, and each follower one first copy of it,
with up to the consumer's concurrency of handlers at once: each was its own ``insert_one``. They
now share ``insert_many`` calls (``InsertTogether``), and every guarantee of a single insert holds:
each document lands once, one whose id exists already is decided again on what is stored, and
its neighbours in the group are not held back by it.
"""

import asyncio
import uuid

from pymongo import AsyncMongoClient

from shared.db.aggregates import AggregateStore
from shared.decisions import Decision, Pending
from tests.platform import CommandLog


def first(n: int, seen: dict | None = None):
    def decide(state, version):
        if seen is not None:
            seen[n] = state
        return Decision({"n": n, "was": state}, [Pending("t", {"id": f"e{n}-{version}"})])

    return decide


async def test_concurrent_new_aggregates_share_inserts_and_an_existing_one_is_decided_on_what_is_stored(infra):
    name = f"t{uuid.uuid4().hex[:8]}"
    log = CommandLog(name)
    client = AsyncMongoClient(infra.mongodb, timeoutMS=20000, event_listeners=[log])
    told: list[str] = []
    store = AggregateStore(client[name]["aggregates"], on_outbox=lambda i, doc: told.append(i))
    try:
        await AggregateStore(client[name]["aggregates"]).change("a7", first(-1))  # another writer's, before
        log.commands.clear()
        seen: dict = {}
        written = await asyncio.gather(*(store.change(f"a{n}", first(n, seen), expect_new=True) for n in range(60)))

        stored = {d["_id"]: d async for d in client[name]["aggregates"].find({})}
        assert set(stored) == {f"a{n}" for n in range(60)}
        assert all(stored[f"a{n}"]["state"] == {"n": n, "was": None} for n in range(60) if n != 7)
        # the existing one: refused as an insert, then decided on the stored state and replaced
        assert seen[7] == {"n": -1, "was": None} and stored["a7"]["state"] == {"n": 7, "was": {"n": -1, "was": None}}
        assert stored["a7"]["version"] == 2 and written[7]["version"] == 2
        assert [w["state"]["n"] for w in written] == list(range(60))
        assert sorted(told) == sorted(f"a{n}" for n in range(60))  # every write's events reach the relay
        sizes = [len(c["documents"]) for c in log.sent("insert")]
        assert sum(sizes) == 60 and max(sizes) > 1, f"each inserted on its own: {sizes}"
    finally:
        await client.drop_database(name)
        await client.close()
