"""The live projection on the real database, without the broker: what one process stored, another
process (with no memory of it) loads at start, and takes on a repeat that changes nothing."""

import uuid

import pytest
from pymongo import AsyncMongoClient

from services.reporting.adapters.facts import InitiativeFacts
from services.reporting.adapters.stores import COLLECTIONS, summary_stores
from services.reporting.domain.model import KINDS, ReadModel
from services.reporting.usecases.projection import Projection
from shared.db.aggregates import AggregateStore
from shared.envelope import Envelope
from shared.events.feedback import FEEDBACK_EVENTS, FeedbackAnsweredV1, FeedbackCommentReleasedV1
from shared.events.grants import GrantsChangedV1
from shared.events.notifications import DeliveryCountedV1
from shared.events.reports import ReportStateV1
from shared.events.scheduling import EditionPlannedV1, EditionUpdatedV1, RegistrationConfirmedV1, SessionPublishedV1, SessionScheduledV1
from tests.integration.test_reporting_follow_up import answer, comment, grants, report
from tests.integration.test_reporting_service import delivery, edition, initiative_state, registration, registry_event, session


@pytest.fixture
async def db(infra, run_id):
    client = AsyncMongoClient(infra.mongodb, timeoutMS=10000)
    name = f"{run_id}proj{uuid.uuid4().hex[:6]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()


def process(db, closed: list | None = None) -> Projection:
    """A process's projection: its own stores (nothing recalled) and an empty model."""
    async def on_closed(e):
        closed.append(e)

    return Projection(summary_stores(lambda c: AggregateStore(db[c])), ReadModel(), on_closed if closed is not None else None)


async def apply(p: Projection, event: Envelope, model) -> None:
    data = model.model_validate(event.data)
    if model is InitiativeFacts:
        await p.initiative(event, data)
    elif model is DeliveryCountedV1:
        await p.delivery(event, data)
    elif model in FEEDBACK_EVENTS:
        await p.feedback(event, data)
    else:
        await p.state(event, data)


async def test_a_process_without_the_memory_takes_the_stored_summary_when_a_repeat_changes_nothing(db):
    first, later = process(db), process(db)
    await apply(first, session(SessionPublishedV1, 1, 2), SessionPublishedV1)
    await apply(first, registry_event("revised", initiative_state(1, 2, "approved")), InitiativeFacts)
    # Older versions, as a redelivery brings them to another process: nothing is written, and
    # that process's model holds what is stored, not what the repeat said.
    await apply(later, session(SessionScheduledV1, 1, 1, capacity=5), SessionScheduledV1)
    await apply(later, registry_event("registered", initiative_state(1, 1, "submitted")), InitiativeFacts)
    assert later.model.sessions == first.model.sessions and later.model.sessions["ses-1"]["version"] == 2
    assert later.model.initiatives == first.model.initiatives and later.model.initiatives["ini-1"]["status"] == "approved"
    stored = await db[COLLECTIONS["sessions"]].find_one({"_id": "ses-1"})
    assert stored["version"] == 1 and stored["state"]["capacity"] == 30  # written once


async def test_a_restarted_process_loads_every_kind_as_it_was_stored(db):
    first = process(db)
    await apply(first, edition(EditionPlannedV1, 1), EditionPlannedV1)
    await apply(first, session(SessionPublishedV1, 2, 1), SessionPublishedV1)
    await apply(first, registration(RegistrationConfirmedV1, 3, 2, 1), RegistrationConfirmedV1)
    await apply(first, registry_event("registered", initiative_state(2, 1, "submitted")), InitiativeFacts)
    answered, released = answer(2, 0), comment(2)
    for _ in range(2):  # a repeat of a delivery's outcome, an answer or a released comment is stored once
        await apply(first, delivery(4, "sent"), DeliveryCountedV1)
        await apply(first, answered, FeedbackAnsweredV1)
        await apply(first, released, FeedbackCommentReleasedV1)
    await apply(first, grants(1, {"ini-2": 10_000}), GrantsChangedV1)
    await apply(first, report(2, 1, participants=12), ReportStateV1)
    restarted = process(db)
    await restarted.load()
    assert all(getattr(restarted.model, k) == getattr(first.model, k) for k in KINDS), restarted.model.counts()
    assert restarted.model.counts() == dict.fromkeys(KINDS, 1)
    assert await db[COLLECTIONS["deliveries"]].count_documents({}) == 1


async def test_closing_an_edition_tells_the_snapshots_with_the_summary_kept(db):
    closed: list = []
    p = process(db, closed)
    await apply(p, edition(EditionUpdatedV1, 3, status="closed"), EditionUpdatedV1)
    await apply(p, edition(EditionPlannedV1, 1), EditionPlannedV1)  # older, and not closed: nothing to tell
    assert [e["version"] for e in closed] == [3] and closed[0]["status"] == "closed"
