"""The rebuild's projection: the same decisions as ``Projection``, applied to the in-memory model
only, and the final summaries written once at the end.

Why not the live ``Projection``: it reads and replaces each summary in MongoDB per event (a get +
replace through ``AggregateStore``), ~60 events/s end to end; a replay of 1,000,000 events needs
thousands per second. Because every decision is "the newest version wins" (initiatives: plus the
earliest review decision, see ``domain/decisions.py``), applying them in memory and writing the
end state once gives the same documents as writing after every event.

"One writer per document" holds: the rebuild database is fresh and this replay is its only
writer, so a bulk ``insert_many`` there races with nothing.
"""

import asyncio
from functools import partial

from pymongo.asynchronous.database import AsyncDatabase

from services.reporting.adapters.facts import InitiativeFacts
from services.reporting.adapters.stores import COLLECTIONS
from services.reporting.domain.follow_up import feedback_fact
from services.reporting.domain.decisions import decide_initiative, decide_newest, state_kind
from services.reporting.domain.model import ID_FIELD, ReadModel
from services.reporting.domain.summaries import SUMMARY, delivery_record, initiative_summary
from shared.db.aggregates import stored_document
from shared.decisions import Decide, Decision
from shared.envelope import Envelope, EventData

BATCH = 500  # documents per insert_many: large enough to amortise the round trip, small enough for FerretDB
CONCURRENCY = 4  # batches in flight: under the client's pool (8, more hangs FerretDB); 8 was no faster


class InMemoryProjection:
    """Handlers with the live projection's names (so ``consumers.subscriptions`` serves both)."""

    def __init__(self, read_model: ReadModel):
        self.model = read_model

    async def initiative(self, event: Envelope, data: InitiativeFacts) -> None:
        incoming = initiative_summary(data.model_dump(mode="json"))
        self._apply("initiatives", data.initiative_id, partial(decide_initiative, incoming=incoming))

    async def state(self, event: Envelope, data: EventData) -> None:
        kind = state_kind(event.type)
        summary = SUMMARY[kind](data.model_dump(mode="json"))
        self._apply(kind, summary[ID_FIELD[kind]], partial(decide_newest, summary=summary))

    async def delivery(self, event: Envelope, data: EventData) -> None:
        self.model.put("deliveries", delivery_record(data.model_dump(mode="json")))

    async def feedback(self, event: Envelope, data: EventData) -> None:
        kind, record = feedback_fact(event.id, data.model_dump(mode="json"))
        self.model.put(kind, record)

    def _apply(self, kind: str, aggregate_id: str, decide: Decide) -> None:
        decision = decide(getattr(self.model, kind).get(aggregate_id), 0)
        if isinstance(decision, Decision):
            self.model.put(kind, decision.state)


async def write(db: AsyncDatabase, read_model: ReadModel) -> int:
    """Every summary of the model into the fresh ``db``, in batches, a few at once (FerretDB works
    on one while the next is sent: half the time of one after the other, measured); returns the
    documents written. Each document is inserted once, so the batches race with nothing. The
    documents are first versions in the stores' layout, so the live projection can take this
    database over (MONGODB_DATABASE + restart) and keep writing."""
    slots = asyncio.Semaphore(CONCURRENCY)

    async def insert(collection: str, docs: list[dict]) -> None:
        async with slots:
            await db[collection].insert_many(docs, ordered=False)

    batches = []
    for kind, collection in COLLECTIONS.items():
        docs = [stored_document(aid, s) for aid, s in getattr(read_model, kind).items()]
        batches += [(collection, docs[start:start + BATCH]) for start in range(0, len(docs), BATCH)]
    await asyncio.gather(*(insert(c, docs) for c, docs in batches))
    return sum(len(docs) for _, docs in batches)
