"""The store decides a change on the document it last wrote, without reading it again, on the real
database — and never on a stale one.

A session in a registration rush is changed once per batch of registrations, and each change used
to read back the document the previous one had just written (a round trip and, on FerretDB, the
decoding of the whole document). What a user of the store checks: the reads are gone, another
writer's change (another replica) is never overwritten, and an erased aggregate is not brought
back from memory.
"""

import contextlib
import uuid

from pymongo import AsyncMongoClient

from shared.db.aggregates import AggregateStore
from shared.decisions import Decision, Pending
from tests.platform import CommandLog


def add(step: int, seen: list | None = None):
    def decide(state, version):
        if seen is not None:
            seen.append(state)
        return Decision({"n": (state or {}).get("n", 0) + step}, [Pending("t", {"id": uuid.uuid4().hex})])

    return decide


@contextlib.asynccontextmanager
async def _logged_store(infra):
    """A store on a database of its own, every command its client sends logged; dropped afterwards."""
    name = f"k{uuid.uuid4().hex[:8]}"
    log = CommandLog(name)
    client = AsyncMongoClient(infra.mongodb, timeoutMS=10000, event_listeners=[log])
    try:
        yield AggregateStore(client[name]["aggregates"]), log, client[name]
    finally:
        await client.drop_database(name)
        await client.close()


async def test_changes_in_a_row_are_decided_without_reading_and_the_relays_marking_is_followed(infra):
    async with _logged_store(infra) as (store, log, db):
        first = await store.change("s", add(1))
        assert await store.mark_published("s", {p["event"]["id"] for p in first["outbox"]}, whole_outbox_of=first["version"])
        for _ in range(5):
            await store.change("s", add(1))
        await store.change_many({"s": add(10), "other": add(1)})

        # read: 's' before its first write and 'other' (either might exist); 's' is known after each write
        assert [c["filter"] for c in log.sent("find")] == [{"_id": "s"}, {"_id": "other"}]
        stored = await db["aggregates"].find_one({"_id": "s"})
        assert stored["state"] == {"n": 16} and stored["version"] == 8  # 7 changes and the marking
        assert len(stored["outbox"]) == 6  # the 5 changes' events and change_many's, after the marking emptied it


async def test_another_writers_change_is_not_overwritten_and_an_erased_one_is_not_brought_back(infra):
    """Two stores on one collection, as two replicas on MongoDB: each change is decided on the
    other's last write (its version guard refuses the stale one, and it reads). A deleted
    aggregate's next change is decided on nothing."""
    name = f"k{uuid.uuid4().hex[:8]}"
    client = AsyncMongoClient(infra.mongodb, timeoutMS=10000)
    one, two = AggregateStore(client[name]["aggregates"]), AggregateStore(client[name]["aggregates"])
    try:
        await one.change("s", add(1))
        await two.change("s", add(10))
        seen: list = []
        written = await one.change("s", add(100, seen))
        assert seen[-1] == {"n": 11} and written["state"] == {"n": 111}
        written = await two.change_many({"s": add(1000, seen)})
        assert seen[-1] == {"n": 111} and written["s"]["state"] == {"n": 1111}

        assert await one.delete("s")
        seen.clear()
        written = await one.change("s", add(1, seen))
        assert seen == [None] and written["state"] == {"n": 1} and written["version"] == 1
    finally:
        await client.drop_database(name)
        await client.close()


async def test_a_copy_this_process_keeps_is_read_from_the_database_once(infra):
    """``get_own``, for documents only this process writes (notifications' copies of sessions and
    editions, read by every registration of a rush): served as last written or read, read from
    the database only when not known, and never older than what this store wrote."""
    async with _logged_store(infra) as (store, log, db):
        written = await store.change("s", add(1))
        assert (await store.get_own("s"))["state"] == {"n": 1}
        assert [c["filter"] for c in log.sent("find")] == [{"_id": "s"}]  # the first change's read (it might exist), no other
        await store.change("s", add(1))
        assert (await store.get_own("s"))["state"] == {"n": 2} and len(log.sent("find")) == 1

        # one this process has not written (a process starting): read once, then known
        await db["aggregates"].insert_one({**written, "_id": "t"})
        assert (await store.get_own("t"))["state"] == {"n": 1}
        assert (await store.get_own("t"))["state"] == {"n": 1}
        assert [c["filter"] for c in log.sent("find")] == [{"_id": "s"}, {"_id": "t"}]
        assert await store.get_own("missing") is None and await store.get_own("missing") is None  # nothing to keep: read each time

        # an erased one is not served from memory
        assert await store.delete("t")
        assert await store.get_own("t") is None
