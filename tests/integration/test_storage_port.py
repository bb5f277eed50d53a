"""The storage port (``shared/db/aggregates.py``) on the real database: what a user of it checks.

Every write of every service goes through ``AggregateStore.change``, one id or many. It must keep
"one writer per document" (FerretDB loses concurrent updates of one document otherwise), write
nothing for a decision that changes nothing, hand every write's events to the relay, write the
lifted fields with every write, never overwrite another writer's change — and save round trips
where it safely can: documents it wrote are not read again, new documents from concurrent
writers share inserts.
"""

import asyncio
import contextlib
import uuid

from pymongo import AsyncMongoClient

from shared.db.aggregates import AggregateStore, change_one
from shared.decisions import Decision, NoChange, Pending
from tests.platform import CommandLog


def add(step: int, event: bool = False, seen: list | None = None):
    def decide(state, version):
        if seen is not None:
            seen.append(state)
        n = (state or {}).get("n", 0) + step
        return Decision({**(state or {}), "n": n}, [Pending("t", {"id": uuid.uuid4().hex, "n": n})] if event else [], outcome=n)

    return decide


def paint(colour: str | None):
    return lambda state, _v: Decision({**(state or {}), "colour": colour})


def lifted(state: dict) -> dict:
    return {"colour": state["colour"]} if state.get("colour") else {}


@contextlib.asynccontextmanager
async def _database(infra, **store_options):
    """A store on a database of its own, every command its client sends logged; dropped afterwards."""
    name = f"p{uuid.uuid4().hex[:8]}"
    log = CommandLog(name)
    client = AsyncMongoClient(infra.mongodb, timeoutMS=30000, event_listeners=[log])
    try:
        yield AggregateStore(client[name]["aggregates"], **store_options), log, client[name]["aggregates"]
    finally:
        await client.drop_database(name)
        await client.close()


async def test_a_batch_creates_and_changes_documents_tells_outcomes_and_hands_events_to_the_relay(infra):
    async with _database(infra) as (store, _log, collection):
        told: list[str] = []
        store.outbox.watch(lambda i, doc: told.append(i))
        await change_one(store, "old", add(5))
        changed = await store.change({"old": add(1, event=True), "new": add(2), "same": lambda s, v: NoChange("kept")})
        assert changed["old"].state == {"n": 6} and changed["old"].document["version"] == 2 and changed["old"].outcome == 6
        assert changed["new"].state == {"n": 2} and changed["new"].document["version"] == 1
        assert not changed["same"].written and changed["same"].outcome == "kept"
        stored = {d["_id"]: d async for d in collection.find({})}
        assert stored == {"old": changed["old"].document, "new": changed["new"].document}  # "same" was never written
        assert told == ["old"] and [p["event"]["n"] for p in stored["old"]["outbox"]] == [6]


async def test_batches_and_single_changes_of_the_same_documents_lose_no_update(infra):
    """50 batches over ten shared counters and 100 single changes of two of them, all at once:
    every increment is kept. Without the keyed locks around the batch, FerretDB keeps a fraction."""
    async with _database(infra) as (store, _log, collection):
        ids = [f"c{n}" for n in range(10)]
        batches = [store.change({i: add(1) for i in ids}) for _ in range(50)]
        singles = [change_one(store, ids[n % 2], add(1)) for n in range(100)]
        await asyncio.gather(*batches, *singles)
        stored = {d["_id"]: d["state"]["n"] async for d in collection.find({})}
        assert stored == {i: 50 + (50 if i in ids[:2] else 0) for i in ids}


async def test_new_documents_from_concurrent_writers_share_inserts_and_an_existing_one_is_decided_on_what_is_stored(infra):
    async with _database(infra) as (store, log, collection):
        told: list[str] = []
        store.outbox.watch(lambda i, doc: told.append(i))
        await change_one(AggregateStore(collection), "a7", add(-1))  # another writer's, before
        log.commands.clear()
        seen: list = []
        changed = await asyncio.gather(*(change_one(store, f"a{n}", add(n, event=True, seen=seen), new=True) for n in range(60)))

        stored = {d["_id"]: d async for d in collection.find({})}
        assert {i: d["state"]["n"] for i, d in stored.items()} == {f"a{n}": (6 if n == 7 else n) for n in range(60)}
        assert stored["a7"]["version"] == 2 and changed[7].document["version"] == 2  # refused as an insert, decided again
        assert sorted(told) == sorted(f"a{n}" for n in range(60))  # every write's events reach the relay
        sizes = [len(c["documents"]) for c in log.sent("insert")]
        assert sum(sizes) == 60 and max(sizes) > 1, f"each inserted on its own: {sizes}"

        # a batch of "new" ones where one exists: the others inserted at once, that one decided on what is stored
        changed = await store.change({"b1": add(1), "a1": add(100)}, new=True)
        assert changed["b1"].state == {"n": 1} and changed["a1"].state == {"n": 101}


async def test_changes_in_a_row_are_decided_without_reading_and_the_relays_marking_is_followed(infra):
    async with _database(infra) as (store, log, collection):
        first = await change_one(store, "s", add(1, event=True))
        assert await store.outbox.published("s", {p["event"]["id"] for p in first.document["outbox"]}, first.document["version"])
        for _ in range(5):
            await change_one(store, "s", add(1, event=True))
        await store.change({"s": add(10, event=True), "other": add(1)})

        # read: 's' before its first write and 'other' (either might exist); 's' is known after each write
        assert [c["filter"] for c in log.sent("find")] == [{"_id": "s"}, {"_id": "other"}]
        stored = await collection.find_one({"_id": "s"})
        assert stored["state"] == {"n": 16} and stored["version"] == 8  # 7 changes and the marking
        assert len(stored["outbox"]) == 6  # the 5 changes' events and the batch's, after the marking emptied it


async def test_another_writers_change_is_not_overwritten_and_an_erased_one_is_not_brought_back(infra):
    """Two stores on one collection, as two replicas on MongoDB: each change is decided on the
    other's last write (its version guard refuses the stale one, and it reads)."""
    async with _database(infra) as (one, _log, collection):
        two = AggregateStore(collection)
        await change_one(one, "s", add(1))
        await change_one(two, "s", add(10))
        seen: list = []
        assert (await change_one(one, "s", add(100, seen=seen))).state == {"n": 111} and seen[-1] == {"n": 11}
        assert (await two.change({"s": add(1000, seen=seen)}))["s"].state == {"n": 1111} and seen[-1] == {"n": 111}

        assert await one.delete(["s", "never"]) == {"s"}
        seen.clear()
        again = await change_one(one, "s", add(1, seen=seen))
        assert seen == [None] and again.state == {"n": 1} and again.document["version"] == 1


async def test_an_own_copy_is_read_from_the_database_once_and_an_erased_one_is_not_served(infra):
    """``own=True``, for documents only this process writes (copies of another service's
    aggregates kept by its consumers): served as last written or read, never older."""
    async with _database(infra, own=True) as (store, log, collection):
        written = await change_one(store, "s", add(1))
        assert (await store.get("s"))["state"] == {"n": 1}
        assert [c["filter"] for c in log.sent("find")] == [{"_id": "s"}]  # the first change's read, no other
        await change_one(store, "s", add(1))
        assert (await store.get("s"))["state"] == {"n": 2} and len(log.sent("find")) == 1

        await collection.insert_one({**written.document, "_id": "t"})  # one this process has not written
        assert (await store.get("t"))["state"] == {"n": 1} and (await store.get("t"))["state"] == {"n": 1}
        assert [c["filter"] for c in log.sent("find")] == [{"_id": "s"}, {"_id": "t"}]
        assert await store.delete(["t"]) == {"t"} and await store.get("t") is None


async def test_every_write_writes_the_lifted_fields_and_drops_the_stale_ones(infra):
    """Queries find documents by lifted fields (FerretDB pushes down only top-level equality), and
    nothing rewrites documents afterwards: each write path is asked here as the services ask."""
    async with _database(infra, lift=lifted) as (store, _log, _collection):
        async def found(colour):
            return {d["_id"] async for d in store.find({"colour": colour}, {"_id": 1})}

        await change_one(store, "a", paint("red"))
        await change_one(store, "b", paint("red"), new=True)
        await store.change({"c": paint("red"), "d": paint("blue")}, new=True)
        await store.change({"d": lambda s, v: Decision({**s, "colour": "red"}, [Pending("t", {"id": "e1"})]), "a": paint("red")})
        assert await found("red") == {"a", "b", "c", "d"}
        doc = await store.get("d")
        assert await store.outbox.published("d", {"e1"}, doc["version"])
        assert await found("red") == {"a", "b", "c", "d"}, "the relay's marking keeps them"

        await change_one(store, "a", paint("green"))
        await store.change({"b": paint(None)})
        assert await found("red") == {"c", "d"} and await found("green") == {"a"}
        assert "colour" not in await store.get("b"), "a field the state no longer gives is dropped"


async def test_a_marking_after_a_newer_write_removes_only_what_was_published_without_a_read(infra):
    """The relay published a version's outbox, and the aggregate was written again meanwhile (a
    page of messages changed by a receipt): the marking keeps the newer write's events, and
    decides on the copy this store wrote instead of reading it back."""
    async with _database(infra) as (store, log, collection):
        first = await change_one(store, "s", add(1, event=True))
        await change_one(store, "s", add(1, event=True))
        log.commands.clear()
        published = {p["event"]["id"] for p in first.document["outbox"]}
        assert not await store.outbox.published("s", published, first.document["version"])  # not the whole outbox any more
        assert log.sent("find") == [] and len(log.sent("update")) == 2  # the guarded try, then on the known copy
        stored = await collection.find_one({"_id": "s"})
        assert [p["event"]["n"] for p in stored["outbox"]] == [2] and stored["outbox_pending"]


async def test_a_large_batch_is_written_in_bulks_the_engines_pool_holds(infra):
    """FerretDB holds a connection per update of a bulk until it ends, and stops answering when the
    bulks in flight need more than its pool: a batch's replaces go 25 to a bulk, its inserts in one."""
    async with _database(infra) as (store, log, collection):
        ids = [f"m{n:03d}" for n in range(60)]
        await store.change({i: add(1) for i in ids}, new=True)
        assert [len(c["documents"]) for c in log.sent("insert")] == [60]
        await store.change({i: add(1) for i in ids})
        assert sorted(len(c["updates"]) for c in log.sent("update")) == [10, 25, 25]
        assert {d["state"]["n"] async for d in collection.find({})} == {2}


async def test_events_published_first_leave_the_outbox_empty_and_join_it_when_the_broker_is_away(infra):
    """``publish_first``: the events go out before the write and the document is written once with
    an empty outbox (nothing for the relay to mark); where publishing fails, nothing is lost: they
    are in the outbox, handed to the relay, as without it."""
    published: list[dict] = []

    async def broker(entries):
        published.extend(entries)

    async def away(entries):
        raise ConnectionError("broker unreachable")

    async with _database(infra) as (store, _log, collection):
        told: list[str] = []
        store.outbox.watch(lambda i, doc: told.append(i))
        await store.change({"a": add(1), "b": add(2)})
        changed = await store.change({"a": add(1, event=True), "b": add(1, event=True)}, publish_first=broker)
        assert [(e["key"], e["event"]["n"]) for e in published] == [("a", 2), ("b", 3)]
        assert all(c.document["outbox"] == [] for c in changed.values()) and told == []
        assert [d["outbox"] async for d in collection.find({}, {"outbox": 1})] == [[], []]

        alone = await change_one(store, "a", add(1, event=True))  # without it: the outbox, as always
        assert len(alone.document["outbox"]) == 1 and told == ["a"]

        kept = await store.change({"b": add(1, event=True)}, publish_first=away)
        assert [e["event"]["n"] for e in kept["b"].document["outbox"]] == [4] and kept["b"].document["outbox_pending"]
        assert (await collection.find_one({"_id": "b"}))["outbox"][0]["event"]["n"] == 4 and told == ["a", "b"]
        single = await store.change({"c": add(7, event=True)}, publish_first=away)  # a batch of one takes the same way
        assert single["c"].document["outbox_pending"] and len(published) == 2
