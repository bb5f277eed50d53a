"""Scheduling's own copy of the registry's initiatives: what can be put in the programme."""

from shared.db.aggregates import AggregateStore
from shared.db.copies import keep_newest
from shared.envelope import Envelope
from shared.events.initiatives import InitiativeState

COLLECTION = "initiatives"


def copy_of(data: InitiativeState) -> dict:
    content = data.content.model_dump(mode="json", exclude_none=True) if data.content else {}
    return {
        "initiative_id": data.initiative_id,
        "source": data.source,
        "status": data.status.value,
        "stamped": data.stamped,
        "title": content.get("title"),
        "organizer": content.get("organizer"),
        "themes": content.get("themes", []),
        "languages": content.get("languages", []),
        "accessibility": content.get("accessibility", []),
        "period": content.get("period"),
    }


class InitiativeCopies:
    def __init__(self, store: AggregateStore):
        self._store = store

    async def apply(self, event: Envelope, data: InitiativeState) -> None:
        await keep_newest(self._store, data.initiative_id, data.version, copy_of(data))

    async def get(self, initiative_id: str) -> dict | None:
        doc = await self._store.get(initiative_id)
        return doc["state"] if doc else None
