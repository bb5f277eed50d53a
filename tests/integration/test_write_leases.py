"""Write leases (``shared/db/leases.py``) on the real database: one writer per document across
processes of a service, as two replicas would be — each with its own database client, its own
in-process locks and its own store of the same collection.

FerretDB loses concurrent updates of one document; the version guard does not catch it there. So
without leases two replicas lose changes (the first test shows the loss with leases off), and
with them nothing is lost, a dead holder's lease passes on within seconds, a live one's never.
"""

import asyncio
import contextlib
import time
import uuid

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import AutoReconnect

from shared.db.aggregates import AggregateStore, ConcurrentChange, change_one
from shared.db.indexes import ensure_indexes
from shared.db.keyed_lock import KeyedLock
from shared.db.leases import INDEXES, LEASES, LeaseTimes, LeaseTimeout, WriteLeases
from shared.decisions import Decision, NoChange

QUICK = LeaseTimes(beat_s=0.2, watch_after_s=0.2, dead_after_s=1.0, max_wait_s=20)


def add_one(state, _version):
    return Decision({"n": (state or {}).get("n", 0) + 1})


@contextlib.asynccontextmanager
async def _replicas(infra, n: int = 2, leases: bool = True):
    """``n`` replicas of one service: each a client, its leases (or an in-process lock only) and a
    store of the same collection. Yields [(store, leases or None)]."""
    name = f"l{uuid.uuid4().hex[:8]}"
    clients = [AsyncMongoClient(infra.mongodb, timeoutMS=30000) for _ in range(n)]
    await ensure_indexes(clients[0][name], INDEXES, infra.ferretdb_postgresql)
    replicas, beats = [], []
    for client in clients:
        lease = WriteLeases(client[name], "test", QUICK) if leases else None
        locks = lease.scope("counters") if lease else KeyedLock()
        replicas.append((AggregateStore(client[name]["counters"], locks), lease))
        if lease:
            beats.append(asyncio.create_task(lease.run()))
    try:
        yield replicas
    finally:
        for beat in beats:
            beat.cancel()
        await clients[0].drop_database(name)
        for client in clients:
            await client.close()


async def _add_concurrently(replicas, times: int) -> int:
    """``times`` increments of one counter, spread over the replicas, all at once; returns how many
    the writers were told succeeded."""

    async def one(i: int) -> bool:
        store, _ = replicas[i % len(replicas)]
        try:
            await change_one(store, "counter", add_one)
            return True
        except ConcurrentChange:
            return False

    return sum(await asyncio.gather(*(one(i) for i in range(times))))


async def test_two_replicas_without_leases_lose_updates_on_this_engine(infra):
    """The engine's weakness the leases exist for: without them, writers told "done" are lost.
    On MongoDB the version guard would refuse the losers instead (and this test would fail: then
    the leases are a cost only, which the benchmark shows)."""
    async with _replicas(infra, leases=False) as replicas:
        told = await _add_concurrently(replicas, 200)
        stored = (await replicas[0][0].get("counter"))["state"]["n"]
        if stored == told:
            pytest.skip("this engine kept every concurrent update (MongoDB): nothing to show here")
        assert stored < told


async def test_two_replicas_with_leases_keep_every_update(infra):
    async with _replicas(infra) as replicas:
        told = await _add_concurrently(replicas, 200)
        assert told == 200
        assert (await replicas[1][0].get("counter"))["state"]["n"] == 200
        assert await replicas[0][0]._collection.database[LEASES].count_documents({}) == 0  # every lease given back


async def test_batches_of_two_replicas_over_crossing_keys_never_wait_for_each_other(infra):
    async with _replicas(infra) as replicas:
        keys = [f"k{n}" for n in range(12)]

        async def batch(i: int) -> None:
            store, _ = replicas[i % 2]
            mine = keys[i % 6:i % 6 + 6] if i % 2 else list(reversed(keys))[i % 5:i % 5 + 7]
            await store.change({k: add_one for k in mine})

        await asyncio.wait_for(asyncio.gather(*(batch(i) for i in range(30))), timeout=60)
        expected = {k: 0 for k in keys}
        for i in range(30):
            for k in (keys[i % 6:i % 6 + 6] if i % 2 else list(reversed(keys))[i % 5:i % 5 + 7]):
                expected[k] += 1
        found = {d["_id"]: d["state"]["n"] async for d in replicas[0][0].find({})}
        assert found == {k: n for k, n in expected.items() if n}


async def test_a_dead_holders_lease_passes_on_within_seconds_and_a_live_ones_never(infra):
    async with _replicas(infra) as replicas:
        (store_a, leases_a), (store_b, leases_b) = replicas
        collection = store_a._collection.database[LEASES]
        # A replica that died holding a lease: its lease stays, its heartbeat never moves again.
        await collection.insert_one({"_id": "dead-token", "key": "counters/counter", "holder": "test-dead"})
        started = time.monotonic()
        await change_one(store_b, "counter", add_one)
        taken_over_after = time.monotonic() - started
        assert QUICK.dead_after_s <= taken_over_after < QUICK.dead_after_s + 3
        # A live holder (A beats) keeps its lease however long it holds it.
        release = asyncio.Event()

        async def hold_long() -> None:
            async with leases_a.scope("counters").hold("counter"):
                await release.wait()

        holder = asyncio.create_task(hold_long())
        await asyncio.sleep(0.2)
        waiter = asyncio.create_task(change_one(store_b, "counter", add_one))
        await asyncio.sleep(QUICK.dead_after_s * 3)
        assert not waiter.done(), "a live holder's lease was taken away"
        release.set()
        await holder
        await asyncio.wait_for(waiter, timeout=5)
        assert (await store_a.get("counter"))["state"]["n"] == 2


async def test_a_dead_holders_other_leases_go_with_the_first_taken_over(infra):
    """A writer needing two leases the dead replica held (a seat desk's session, then a contact)
    waits for one take-over, not one after the other; a live replica's lease stays."""
    async with _replicas(infra) as replicas:
        (store_a, leases_a), (store_b, _) = replicas
        collection = store_a._collection.database[LEASES]
        await collection.insert_many([{"_id": f"dead-{k}", "key": f"counters/{k}", "holder": "test-dead"} for k in ("first", "second")])
        async with leases_a.scope("counters").hold("live"):
            await change_one(store_b, "first", add_one)  # after the dead holder's beat stood still
            assert await collection.count_documents({"holder": "test-dead"}) == 0, "the second lease waits for a take-over of its own"
            assert await collection.count_documents({"key": "counters/live", "holder": leases_a.instance}) == 1
            await change_one(store_b, "second", add_one)
        assert (await store_a.get("second"))["state"]["n"] == 1


async def test_a_lease_never_free_is_answered_busy_not_waited_on_forever(infra):
    async with _replicas(infra, n=1) as [(store, leases)]:
        leases._times = LeaseTimes(beat_s=0.2, watch_after_s=0.2, dead_after_s=30, max_wait_s=1.0)
        release = asyncio.Event()
        other = WriteLeases(store._collection.database, "test", QUICK)  # a second, live process
        beat = asyncio.create_task(other.run())

        async def hold() -> None:
            async with other.scope("counters").hold("counter"):
                await release.wait()

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0.3)
        with pytest.raises(LeaseTimeout):
            await change_one(store, "counter", add_one)
        release.set()
        await holder
        beat.cancel()


async def test_a_replica_decides_on_what_another_wrote_since_not_on_what_it_wrote_itself(infra):
    """A refusal or "nothing to do" is answered from the stored state: a replica must not decide on
    the document it last wrote when another replica has changed it since."""
    async with _replicas(infra) as [(a, _), (b, _)]:
        status = lambda s: (lambda state, _v: Decision({"status": s}))  # noqa: E731
        seen = lambda state, _v: NoChange(state["status"])  # noqa: E731
        await a.change({"x": status("submitted"), "y": status("submitted")})
        await b.change({"x": status("in_review"), "y": status("in_review")})
        assert (await change_one(a, "x", seen)).outcome == "in_review"
        assert {i: c.outcome for i, c in (await a.change({"x": seen, "y": seen})).items()} == {"x": "in_review", "y": "in_review"}


async def test_a_holder_changing_its_own_key_takes_one_lease_and_the_other_replica_waits(infra):
    """A seat desk holds its session and changes it through the store: one lease in the database for
    the two holds (a batch's cost), and the other replica's change waits until the holder is done."""
    async with _replicas(infra) as [(a, leases_a), (b, _)]:
        locks = leases_a.scope("counters")  # the store's own scope, as the desk takes it
        taken = []
        original = leases_a._try

        async def counted(keys):
            taken.extend(keys)
            return await original(keys)

        leases_a._try = counted
        async with locks.hold("counter"):
            other = asyncio.create_task(change_one(b, "counter", add_one))
            await change_one(a, "counter", add_one)
            await asyncio.sleep(0.5)
            assert not other.done(), "the other replica waits for the holder"
        await other
        assert taken == ["counters/counter"], taken
        assert (await a.get("counter"))["state"]["n"] == 2


class _LostAnswers:
    """The leases' collection, whose next ``n`` inserts land in the database but whose answers are
    lost on the way back (a timeout or a dropped connection as the engine restarts)."""

    def __init__(self, collection, n: int):
        self._collection, self.n = collection, n

    def __getattr__(self, name):
        return getattr(self._collection, name)

    async def insert_one(self, doc):
        result = await self._collection.insert_one(doc)
        if self.n > 0:
            self.n -= 1
            raise AutoReconnect("connection lost after the insert")
        return result


async def test_a_lease_whose_insert_landed_unanswered_is_not_held_forever(infra):
    """A replica's lease insert lands but its answer is lost: the writer gets an error and tries
    again; neither it nor the other replica may then wait on a lease no one knows it holds."""
    async with _replicas(infra) as [(a, leases_a), (b, _)]:
        leases_a._leases = _LostAnswers(leases_a._leases, 1)
        with pytest.raises(AutoReconnect):
            await change_one(a, "counter", add_one)
        async with asyncio.timeout(15):  # far under QUICK.max_wait_s: a left lease would wait 20 s
            await change_one(b, "counter", add_one)
            await change_one(a, "counter", add_one)
        assert (await a.get("counter"))["state"]["n"] == 2


async def test_a_replica_finding_its_own_lease_in_its_way_gives_it_back(infra):
    """A lease of this replica's that no task of it holds (left by an attempt whose answer was lost
    and whose give-back failed too) is given back when the replica next wants the key."""
    async with _replicas(infra) as [(a, leases_a), _]:
        await leases_a._leases.insert_one({"_id": uuid.uuid4().hex, "key": "counters/counter", "holder": leases_a.instance})
        async with asyncio.timeout(15):
            await change_one(a, "counter", add_one)
        assert (await a.get("counter"))["state"]["n"] == 1
