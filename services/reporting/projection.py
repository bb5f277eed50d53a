"""Applies events to the stored summaries (one writer per document), then to the in-memory model.

Summaries are kept by the event's ``version`` (the newest wins), so duplicates and reordered
deliveries change nothing and a replay from offset 0 ends identical. Deliveries are facts, one
document per (message, outcome), inserted once (a unique ``_id`` guards it).
"""

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ConfigDict
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.reporting import model as m
from shared.db.aggregates import AggregateStore, aggregate_indexes
from shared.db.indexes import IndexSpec
from shared.db.keyed_lock import KeyedLock
from shared.decisions import Decision
from shared.envelope import Envelope, EventData

COLLECTION = "initiative_summaries"
COLLECTIONS = {
    "initiatives": COLLECTION,
    "sessions": "session_summaries",
    "registrations": "registration_summaries",
    "editions": "edition_summaries",
}
DELIVERIES = "delivery_outcomes"
SNAPSHOTS = "published_snapshots"

INDEXES: list[IndexSpec] = [
    *(spec for c in COLLECTIONS.values() for spec in aggregate_indexes(c)),
    IndexSpec(DELIVERIES, (("_id", 1),)),
    IndexSpec(SNAPSHOTS, (("_id", 1),)),
]


class InitiativeFacts(EventData):
    """What reporting reads of every registry event (each carries the full state): tolerant, so
    the review events and fields the registry adds are taken without a new model here."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    event_type = "se.malmo.oppna.initiative.*"
    initiative_id: str
    source: str
    version: int
    status: str
    stamped: bool = False
    content: dict[str, Any] | None = None
    received_at: str | None = None
    updated_at: str | None = None
    review: dict[str, Any] | None = None


SUMMARY = {
    "sessions": m.session_summary,
    "registrations": m.registration_summary,
    "editions": m.edition_summary,
}

OnEdition = Callable[[dict], Awaitable[None]]


def state_kind(event_type: str) -> str:
    """Editions, sessions or registrations: the kind of summary a state event updates."""
    if event_type.startswith("se.malmo.oppna.edition."):
        return "editions"
    return "registrations" if event_type.startswith("se.malmo.oppna.registration.") else "sessions"


def newest(current: dict | None, summary: dict) -> dict | None:
    """The newest version wins; None: no change (shared by the live projection and the replay)."""
    return None if current is not None and current["version"] >= summary["version"] else summary


class Projection:
    def __init__(self, db: AsyncDatabase, read_model: m.ReadModel, locks: KeyedLock | None = None, on_edition_closed: OnEdition | None = None):
        locks = locks or KeyedLock()
        self.db = db
        self.model = read_model
        self.stores = {kind: AggregateStore(db[c], locks) for kind, c in COLLECTIONS.items()}
        self._on_edition_closed = on_edition_closed

    async def load(self) -> None:
        """The in-memory model from the stored summaries (at start)."""
        for kind, store in self.stores.items():
            async for doc in store.collection.find({}, {"state": 1}):
                self.model.put(kind, doc["state"])
        async for doc in self.db[DELIVERIES].find({}):
            self.model.put("deliveries", {k: v for k, v in doc.items() if k != "_id"})

    async def initiative(self, event: Envelope, data: InitiativeFacts) -> None:
        incoming = m.initiative_summary(data.model_dump(mode="json"))

        def decide(current: dict | None, _sv: int) -> Decision | None:
            merged = m.merge_initiative(current, incoming)
            return Decision(merged) if merged is not None else None

        await self._write("initiatives", data.initiative_id, decide, expect_new=incoming["version"] == 1)

    async def state(self, event: Envelope, data: EventData) -> None:
        """Editions, sessions and registrations: the newest version of each wins."""
        kind = state_kind(event.type)
        summary = SUMMARY[kind](data.model_dump(mode="json"))

        def decide(current: dict | None, _sv: int) -> Decision | None:
            chosen = newest(current, summary)
            return Decision(chosen) if chosen is not None else None

        await self._write(kind, summary[m.ID_FIELD[kind]], decide, expect_new=summary["version"] == 1)
        if kind == "editions" and self._on_edition_closed is not None:
            latest = self.model.editions.get(summary["edition_id"])
            # Also on a redelivery: the snapshot is deduplicated by its id, and a failed publication retried.
            if latest and latest["status"] == "closed" and summary["status"] == "closed":
                await self._on_edition_closed(latest)

    async def delivery(self, event: Envelope, data: EventData) -> None:
        record = m.delivery_record(data.model_dump(mode="json"))
        try:
            await self.db[DELIVERIES].insert_one({"_id": record["key"], **record})
        except DuplicateKeyError:
            pass  # counted by an earlier delivery of this outcome
        self.model.put("deliveries", record)

    async def _write(self, kind: str, aggregate_id: str, decide, expect_new: bool = False) -> dict | None:
        doc = await self.stores[kind].change(aggregate_id, decide, expect_new=expect_new)
        if doc is not None:
            self.model.put(kind, doc["state"])
        elif aggregate_id not in getattr(self.model, kind):
            # Stored by an earlier run whose memory this process does not have: take it.
            stored = await self.stores[kind].get(aggregate_id)
            if stored is not None:
                self.model.put(kind, stored["state"])
        return doc
