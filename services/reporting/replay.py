"""The rebuild's projection: the same decisions as ``Projection``, applied to the in-memory model
only, and the final summaries written once at the end.

Why not the live ``Projection``: it reads and replaces each summary in MongoDB per event (a get +
replace through ``AggregateStore``), ~60 events/s end to end; a replay of 1,000,000 events needs
thousands per second. Because every decision is "newest version wins" (initiatives: plus the
earliest review decision, see ``model.merge_initiative``), applying them in memory and writing
the end state once gives the same documents as writing after every event.

"One writer per document" holds: the rebuild database is fresh and this replay is its only
writer, so a bulk ``insert_many`` there races with nothing.
"""

import asyncio

from pymongo.asynchronous.database import AsyncDatabase

from services.reporting import model as m
from services.reporting.projection import COLLECTIONS, DELIVERIES, SUMMARY, InitiativeFacts, newest, state_kind
from shared.envelope import Envelope, EventData

BATCH = 500  # documents per insert_many: large enough to amortise the round trip, small enough for FerretDB
CONCURRENCY = 4  # batches in flight: under the client's pool (8, more hangs FerretDB); 8 was no faster


class InMemoryProjection:
    """Handlers with the live projection's names (so ``consumers.subscriptions`` serves both)."""

    def __init__(self, read_model: m.ReadModel):
        self.model = read_model

    async def initiative(self, event: Envelope, data: InitiativeFacts) -> None:
        incoming = m.initiative_summary(data.model_dump(mode="json"))
        merged = m.merge_initiative(self.model.initiatives.get(data.initiative_id), incoming)
        if merged is not None:
            self.model.put("initiatives", merged)

    async def state(self, event: Envelope, data: EventData) -> None:
        kind = state_kind(event.type)
        summary = SUMMARY[kind](data.model_dump(mode="json"))
        chosen = newest(getattr(self.model, kind).get(summary[m.ID_FIELD[kind]]), summary)
        if chosen is not None:
            self.model.put(kind, chosen)

    async def delivery(self, event: Envelope, data: EventData) -> None:
        self.model.put("deliveries", m.delivery_record(data.model_dump(mode="json")))


def _documents(kind: str, summaries: dict[str, dict]) -> list[dict]:
    if kind == "deliveries":
        return [{"_id": key, **record} for key, record in summaries.items()]
    # The layout AggregateStore writes (a first version, nothing to publish), so the live
    # projection can take this database over (MONGODB_DATABASE + restart) and keep writing.
    return [{"_id": aid, "version": 1, "state_version": 1, "state": s, "outbox": [], "outbox_pending": False}
            for aid, s in summaries.items()]


async def write(db: AsyncDatabase, read_model: m.ReadModel) -> int:
    """Every summary of the model into the fresh ``db``, in batches, a few at once (FerretDB works
    on one while the next is sent: half the time of one after the other, measured); returns the
    documents written. Each document is inserted once, so the batches race with nothing."""
    slots = asyncio.Semaphore(CONCURRENCY)

    async def insert(collection: str, docs: list[dict]) -> None:
        async with slots:
            await db[collection].insert_many(docs, ordered=False)

    batches = []
    for kind, collection in [*COLLECTIONS.items(), ("deliveries", DELIVERIES)]:
        docs = _documents(kind, getattr(read_model, kind))
        batches += [(collection, docs[start:start + BATCH]) for start in range(0, len(docs), BATCH)]
    await asyncio.gather(*(insert(c, docs) for c, docs in batches))
    return sum(len(docs) for _, docs in batches)
