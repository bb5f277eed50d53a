"""Notifications' own copy of each initiative's organiser business contact and language."""

from shared.db.aggregates import AggregateStore
from shared.db.copies import keep_newest
from shared.envelope import Envelope
from shared.events.initiatives import InitiativeState

COLLECTION = "organizer_contacts"


class OrganizerContacts:
    def __init__(self, store: AggregateStore):
        self._store = store

    async def apply(self, event: Envelope, data: InitiativeState) -> None:
        contact = data.content.contact.model_dump(mode="json", exclude_none=True) if data.content and data.content.contact else None
        await keep_newest(
            self._store,
            data.initiative_id,
            data.version,
            {"initiative_id": data.initiative_id, "status": data.status.value, "contact": contact},
        )

    async def get(self, initiative_id: str) -> dict | None:
        doc = await self._store.get(initiative_id)
        return doc["state"] if doc else None
