"""A session's registrations are found by their lifted top-level ``session_id``, on the real database.

FerretDB pushes down only equality on top-level fields. Asked for ``state.session_id``, it read
every registration copy in its own process: 2–4 s a walk at tens of thousands, and twenty
sessions published at once timed out and were retried until FerretDB did nothing else (seen
on a platform that had run a fan-out). Every copy is written with it (the store is made with
``lift=registration_fields``), so no registrant is left out of a walk.
"""

import uuid
from datetime import UTC, datetime

from pymongo import AsyncMongoClient

from services.notifications.adapters.copies import INDEXES, REGISTRATIONS, Copies, registration_fields
from shared.db.aggregates import AggregateStore
from shared.db.indexes import ensure_indexes
from shared.events import scheduling as ev
from tests.platform import CommandLog


def registration(rid: str, sid: str) -> dict:
    return ev.RegistrationConfirmedV1(registration_id=rid, version=1, session_id=sid, edition_id="ed", status="confirmed", party_size=1,
                                      language="sv", channel="email", registered_at=datetime.now(UTC)).model_dump(mode="json")


async def test_a_walk_asks_by_the_lifted_session_id_and_finds_every_copy(infra):
    name = f"w{uuid.uuid4().hex[:8]}"
    log = CommandLog(name)
    client = AsyncMongoClient(infra.mongodb, timeoutMS=20000, event_listeners=[log])
    db = client[name]
    try:
        await ensure_indexes(db, INDEXES, infra.ferretdb_postgresql)
        copies = Copies(AggregateStore(db["editions"]), AggregateStore(db["sessions"]), AggregateStore(db[REGISTRATIONS], lift=registration_fields),
                        AggregateStore(db["contacts"]))
        for n in range(4):
            await copies.keep(copies.registrations, f"new-{n}", registration(f"new-{n}", "s1"))
        await copies.keep(copies.registrations, "elsewhere", registration("elsewhere", "s2"))

        log.commands.clear()
        found = [r["registration_id"] async for page in copies.registrations_in("s1") for r in page]
        assert sorted(found) == [f"new-{n}" for n in range(4)]
        filters = [c["filter"] for c in log.sent("find", REGISTRATIONS)]
        assert filters == [{"session_id": "s1"}], filters
    finally:
        await client.drop_database(name)
        await client.close()
