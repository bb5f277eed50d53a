"""Scheduling's own copy of the registry's initiatives: what can be put in the programme.

The copy keeps what residents read about a session in the programme: the summary and the
description (by language) and the target groups; the programme holds them in memory
(``on_copied``, and ``about_all`` at start-up) beside the sessions.

When the newest copy says an initiative is withdrawn or rejected, its sessions are cancelled
(``on_closed``), every time the copy is looked at again, so a redelivered event finishes what
a crash interrupted (cancelling is idempotent).
"""

from collections.abc import Awaitable, Callable

from shared.db.aggregates import AggregateStore
from shared.db.copies import keep_newest
from shared.envelope import Envelope
from shared.events.initiatives import InitiativeState

COLLECTION = "initiatives"
CLOSED = ("withdrawn", "rejected")
ABOUT = ("summary", "description", "target_groups")


def about(copy: dict) -> dict:
    """What the programme shows of an initiative beside each of its sessions."""
    return {"summary": copy.get("summary"), "description": copy.get("description"), "target_groups": copy.get("target_groups", [])}


def copy_of(data: InitiativeState) -> dict:
    content = data.content.model_dump(mode="json", exclude_none=True) if data.content else {}
    return {
        "initiative_id": data.initiative_id,
        "source": data.source,
        "status": data.status.value,
        "stamped": data.stamped,
        "title": content.get("title"),
        "summary": content.get("summary"),
        "description": content.get("description"),
        "target_groups": content.get("target_groups", []),
        "organizer": content.get("organizer"),
        "themes": content.get("themes", []),
        "districts": content.get("districts", []),
        "languages": content.get("languages", []),
        "accessibility": content.get("accessibility", []),
        "period": content.get("period"),
    }


class InitiativeCopies:
    def __init__(self, store: AggregateStore, on_closed: Callable[[dict], Awaitable[None]] | None = None):
        self._store = store
        self._on_closed = on_closed
        self._on_copied: Callable[[dict], None] | None = None

    def when_copied(self, callback: Callable[[dict], None]) -> None:
        """``callback(copy)`` after each newer copy is stored."""
        self._on_copied = callback

    async def about_all(self) -> dict[str, dict]:
        """Initiative id → ``about`` of every copy (read once, at start-up)."""
        projection = {f"state.{k}": 1 for k in ("initiative_id", *ABOUT)}
        return {d["_id"]: about(d["state"]) async for d in self._store.collection.find({}, projection)}

    def when_closed(self, callback: Callable[[dict], Awaitable[None]]) -> None:
        self._on_closed = callback

    async def apply(self, event: Envelope, data: InitiativeState) -> None:
        stored = await keep_newest(self._store, data.initiative_id, data.version, copy_of(data))
        if stored is not None and self._on_copied is not None:
            self._on_copied(stored)
        # Not stored: a repeat or an older version; what is stored decides (a redelivery after a
        # crash before ``on_closed`` must still reach it).
        current = stored if stored is not None else await self.get(data.initiative_id)
        if current is not None and current["status"] in CLOSED and self._on_closed is not None:
            await self._on_closed(current)

    async def get(self, initiative_id: str) -> dict | None:
        doc = await self._store.get(initiative_id)
        return doc["state"] if doc else None
