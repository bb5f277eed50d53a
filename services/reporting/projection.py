"""Applies registry events to the stored initiative summaries, then to the in-memory figures."""

from services.reporting.figures import InitiativeFigures, summary_of
from shared.db.aggregates import AggregateStore
from shared.db.copies import keep_newest
from shared.envelope import Envelope
from shared.events.initiatives import InitiativeState

COLLECTION = "initiative_summaries"


class InitiativeProjection:
    def __init__(self, store: AggregateStore, figures: InitiativeFigures):
        self._store = store
        self.figures = figures

    async def load(self) -> None:
        async for doc in self._store.collection.find({}, {"state": 1}):
            self.figures.put(doc["state"])

    async def apply(self, event: Envelope, data: InitiativeState) -> None:
        stored = await keep_newest(self._store, data.initiative_id, data.version, summary_of(data.model_dump(mode="json"), data.version))
        if stored is not None:
            self.figures.put(stored)
