"""Notifications' own copy of each initiative's organiser business contact, from registry.contacts.v1.

Keyed by initiative id, newest version kept. An erased contact leaves a copy without one (so a
later review decision knows there is no one to tell) until the publisher gives a new one."""

from shared.db.aggregates import AggregateStore
from shared.db.copies import keep_newest

COLLECTION = "organizer_contacts"


class OrganizerContacts:
    def __init__(self, store: AggregateStore):
        self._store = store

    @property
    def store(self) -> AggregateStore:
        return self._store

    async def keep(self, initiative_id: str, version: int, contact: dict | None) -> None:
        if contact and contact.get("email"):  # in the form an erasure request is matched in (shared/http.py)
            contact = {**contact, "email": contact["email"].lower()}
        await keep_newest(self._store, initiative_id, version, {"initiative_id": initiative_id, "contact": contact})

    async def erase(self, initiative_id: str, version: int) -> None:
        await keep_newest(self._store, initiative_id, version, {"initiative_id": initiative_id, "contact": None, "erased": True})

    async def get(self, initiative_id: str) -> dict | None:
        doc = await self._store.get(initiative_id)
        return doc["state"] if doc else None
