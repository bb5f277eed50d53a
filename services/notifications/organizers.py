"""Notifications' own copy of each initiative's organiser business contact and language."""

from shared.db.aggregates import AggregateStore
from shared.db.copies import keep_newest

COLLECTION = "organizer_contacts"


class OrganizerContacts:
    def __init__(self, store: AggregateStore):
        self._store = store

    @property
    def store(self) -> AggregateStore:
        return self._store

    async def keep(self, initiative_id: str, version: int, status: str, contact: dict | None) -> None:
        await keep_newest(self._store, initiative_id, version, {"initiative_id": initiative_id, "status": str(status), "contact": contact})

    async def get(self, initiative_id: str) -> dict | None:
        doc = await self._store.get(initiative_id)
        return doc["state"] if doc else None
