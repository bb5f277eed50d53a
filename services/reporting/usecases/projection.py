"""Applies events to the stored summaries (one writer per document), then to the in-memory model.

Summaries are kept by the event's ``version`` (the newest wins, ``domain/decisions.py``), so
duplicates and reordered deliveries change nothing and a replay from offset 0 ends identical.
Deliveries are facts, one document per (message, outcome), stored once.
"""

from collections.abc import Awaitable, Callable
from functools import partial

from services.reporting.adapters.facts import InitiativeFacts
from services.reporting.domain.follow_up import feedback_fact
from services.reporting.domain.decisions import decide_initiative, decide_newest, decide_once, state_kind
from services.reporting.domain.model import ID_FIELD, ReadModel
from services.reporting.domain.states import EditionSummary
from services.reporting.domain.summaries import SUMMARY, delivery_record, initiative_summary
from shared.db.aggregates import AggregateStore, change_one
from shared.decisions import Decide
from shared.envelope import Envelope, EventData

OnEdition = Callable[[EditionSummary], Awaitable[None]]


class Projection:
    """The live projection: the consumers' handlers (``consumers.py``), and the loader at start.
    ``stores``: the store of each kind of the read model (``adapters/stores.py``)."""

    def __init__(self, stores: dict[str, AggregateStore], read_model: ReadModel, on_edition_closed: OnEdition | None = None):
        self.stores = stores
        self.model = read_model
        self._on_edition_closed = on_edition_closed

    async def load(self) -> None:
        """The in-memory model from the stored summaries (at start)."""
        for kind, store in self.stores.items():
            async for doc in store.find({}, {"state": 1}):
                self.model.put(kind, doc["state"])

    async def initiative(self, event: Envelope, data: InitiativeFacts) -> None:
        incoming = initiative_summary(data.model_dump(mode="json"))
        await self._write("initiatives", data.initiative_id, partial(decide_initiative, incoming=incoming), new=incoming["version"] == 1)

    async def state(self, event: Envelope, data: EventData) -> None:
        """Editions, sessions, registrations, grant books and reports: the newest version of each wins."""
        kind = state_kind(event.type)
        summary = SUMMARY[kind](data.model_dump(mode="json"))
        await self._write(kind, summary[ID_FIELD[kind]], partial(decide_newest, summary=summary), new=summary["version"] == 1)
        if kind == "editions" and self._on_edition_closed is not None:
            latest = self.model.editions.get(summary["edition_id"])
            # Also on a redelivery: the snapshot is deduplicated by its id, and a failed publication retried.
            if latest and latest["status"] == "closed" and summary["status"] == "closed":
                await self._on_edition_closed(latest)

    async def delivery(self, event: Envelope, data: EventData) -> None:
        record = delivery_record(data.model_dump(mode="json"))
        # A repeat of this outcome was counted by its first delivery: nothing written.
        await change_one(self.stores["deliveries"], record["key"], partial(decide_once, fact=record), new=True)
        self.model.put("deliveries", record)

    async def feedback(self, event: Envelope, data: EventData) -> None:
        """An answer (by its event id) or a released comment (by its id), counted once."""
        kind, record = feedback_fact(event.id, data.model_dump(mode="json"))
        changed = await change_one(self.stores[kind], record["key"], partial(decide_once, fact=record), new=True)
        if changed.written or record["key"] not in getattr(self.model, kind):
            self.model.put(kind, record)

    async def _write(self, kind: str, aggregate_id: str, decide: Decide, new: bool) -> None:
        """``new``: a first version, expected not to be stored yet (inserted without a read)."""
        changed = await change_one(self.stores[kind], aggregate_id, decide, new=new)
        # Unchanged but not in memory: stored by an earlier run whose memory this process does not have.
        if changed.outcome is not None and (changed.written or aggregate_id not in getattr(self.model, kind)):
            self.model.put(kind, changed.outcome)
