"""Scheduling's own copy of the registry's initiatives (``domain.states.InitiativeCopy``): what can be
put in the programme, and what residents read about it. The newest version told is kept, so a
repeat or an older version changes nothing (``keep_newest``); this process's consumer is the
copies' one writer."""

from services.scheduling.domain.initiatives import ABOUT, about, copy_of
from services.scheduling.domain.states import InitiativeCopy
from shared.db.aggregates import AggregateStore
from shared.db.copies import keep_newest
from shared.events.initiatives import InitiativeState


class InitiativeCopies:
    def __init__(self, store: AggregateStore):
        self._store = store

    async def keep(self, data: InitiativeState) -> InitiativeCopy | None:
        """Store the copy of ``data`` unless a copy as new is there; the copy if stored."""
        return await keep_newest(self._store, data.initiative_id, data.version, copy_of(data))

    async def get(self, initiative_id: str) -> InitiativeCopy | None:
        doc = await self._store.get(initiative_id)
        return doc["state"] if doc else None

    async def about_all(self) -> dict[str, dict]:
        """Initiative id → ``about`` of every copy (read once, at start-up)."""
        projection = {f"state.{k}": 1 for k in ("initiative_id", *ABOUT)}
        return {d["_id"]: about(d["state"]) async for d in self._store.find({}, projection)}
