"""A batch's opt-outs and a fan-out's contacts, read at once on the real FerretDB (``read_at_once``).

What a person checks: an opted-out recipient is found whichever way the opt-outs are read; a
fan-out's page gets its own contacts (none of another session's), however the two walks are
ordered; a contact not met within the read-ahead is left to the read by ``_id``; and the walk's
filter is answered from a PostgreSQL index, not by FerretDB over the whole collection.
"""

import contextlib
import random

import pytest
from pymongo import AsyncMongoClient

from services.notifications.adapters import copies
from services.notifications.adapters.read_at_once import PER_MESSAGE, OptOutsAtOnce, SessionContacts
from shared.db.aggregates import AggregateStore, change_one
from shared.db.indexes import ensure_indexes, is_ferretdb
from shared.decisions import Decision

pytestmark = pytest.mark.integration


@contextlib.asynccontextmanager
async def _database(infra, name: str):
    """A database of its own with notifications' copy indexes, dropped afterwards."""
    client = AsyncMongoClient(infra.mongodb, timeoutMS=20000, tz_aware=True)
    try:
        await ensure_indexes(client[name], [*copies.INDEXES], infra.ferretdb_postgresql)
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


async def test_opted_out_recipients_are_found_in_one_read_or_one_each_when_there_are_many(infra, run_id):
    async with _database(infra, f"{run_id}_optouts") as db:
        store = AggregateStore(db["opt_outs"])
        clock = Clock()
        at_once = OptOutsAtOnce(store, db["opt_outs"].estimated_document_count, clock)
        batch = ["registration:a", "registration:b", "subscription:c"]
        assert await at_once.among(batch) == set()  # none yet: one read, nothing opted out

        await change_one(store, "registration:b", lambda cur, _v: Decision({"key": "registration:b"}))
        assert at_once.count == 0  # counted a minute ago: the count is kept, the read is not
        assert await at_once.among(batch) == {"registration:b"}

        # many opt-outs against a small batch: a scan of them all would cost more than a read each
        many = PER_MESSAGE * len(batch) + 1
        await store.change({f"registration:other-{n}": _first({"key": f"registration:other-{n}"}) for n in range(many)}, new=True)
        assert await at_once.among(batch) == {"registration:b"}  # the count is a minute old still
        clock.t += 61
        assert await at_once.among(batch) is None  # recounted: the caller reads one by one
        assert at_once.count == many + 1
        # a page as big as a fan-out's makes the one read pay again
        page = [f"registration:other-{n}" for n in range(0, many, 3)] + ["registration:a"]
        assert await at_once.among(page) == set(page) - {"registration:a"}
        assert await at_once.among([]) is None


async def _contacts(db, by_session: dict[str, list[str]], lift=copies.contact_fields) -> AggregateStore:
    store = AggregateStore(db[copies.CONTACTS], lift=lift)
    docs = [(rid, sid) for sid, rids in by_session.items() for rid in rids]
    random.Random(7).shuffle(docs)  # copied in another order than the registrations are walked
    await store.change({rid: _first({"registration_id": rid, "session_id": sid, "name": "Anna", "email": f"{rid}@example.org",
                                     "language": "sv"}) for rid, sid in docs}, new=True)
    return store


def _first(state: dict):
    return lambda current, _v: Decision(state) if current is None else None


async def test_a_fan_out_page_gets_its_own_contacts_whatever_the_order(infra, run_id):
    async with _database(infra, f"{run_id}_contacts") as db:
        mine = [f"r{n:03d}" for n in range(120)]
        contacts = await _contacts(db, {"s1": mine, "s2": [f"x{n:03d}" for n in range(40)]})
        walk = SessionContacts(contacts, "s1")
        try:
            pages = [mine[n:n + 50] for n in range(0, len(mine), 50)]
            for page in pages:
                found = await walk.take(page + ["x001"])  # another session's registration is never met
                assert set(found) == set(page)
                assert all(found[rid]["email"] == f"{rid}@example.org" for rid in page)
            assert walk.waiting == {}
        finally:
            await walk.close()

        # read ahead at most ``ahead``: a contact not met by then is left to the caller's read by _id
        # (one never met: a contact erased, or copied after the walk passed)
        short = SessionContacts(contacts, "s1", ahead=5)
        try:
            assert await short.take(["never-copied"]) == {}
            assert len(short.waiting) == 5  # stopped there, not at the end of the session's 120
            rest = await short.take(mine)
            assert set(rest) == set(mine) and short.waiting == {}  # those read ahead are handed over too
        finally:
            await short.close()


async def test_the_walk_of_a_sessions_contacts_is_answered_from_a_postgresql_index(infra, run_id):
    async with _database(infra, f"{run_id}_plan") as db:
        if not await is_ferretdb(db):
            pytest.skip("MongoDB serves it from its own index")
        await _contacts(db, {"s1": ["a", "b"], "s2": ["c"]})
        plan = await db.command("explain", {"find": copies.CONTACTS, "filter": {"session_id": "s1"}})
        assert plan["filterPushdown"], plan
        assert "Index Scan" in str(plan["queryPlanner"]), plan["queryPlanner"]
