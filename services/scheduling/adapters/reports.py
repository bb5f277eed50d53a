"""Scheduling's copy of the registry's outcome reports (``registry.reports.v1``), for the public
knowledge bank. One document per initiative, the newest version told (``keep_newest``: a repeat
or an older version changes nothing); this process's consumer is the copies' one writer. Only
what the topic carries is kept: a report's text is there once a curator published it."""

from collections.abc import AsyncIterator

from shared.db.aggregates import AggregateStore
from shared.db.copies import keep_newest
from shared.events.reports import ReportStateV1


class ReportCopies:
    def __init__(self, store: AggregateStore):
        self._store = store

    async def keep(self, data: ReportStateV1) -> dict | None:
        """Store the copy of ``data`` unless a copy as new is there; the copy if stored."""
        copy = data.model_dump(mode="json", exclude={"event_type"})
        return await keep_newest(self._store, data.initiative_id, data.version, copy)

    async def get(self, initiative_id: str) -> dict | None:
        doc = await self._store.get(initiative_id)
        return doc["state"] if doc else None

    async def all(self) -> AsyncIterator[dict]:
        async for doc in self._store.find({}):
            yield doc["state"]
