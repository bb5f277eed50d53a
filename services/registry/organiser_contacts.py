"""Erasing an organiser's contact on request (GDPR art. 17), like a resident's.

The contact (a name, an email, a phone) is kept in the initiative's current content and in every
revision of its history. Erasure removes it from all of them in one change of the aggregate, and
tells ``registry.contacts.v1`` that it is erased: notifications drops its copy and every message
to the organiser, and compaction drops the older values under the initiative's key. The public
content and the review stay; a later revision from the publisher may give a contact again.
"""

from datetime import UTC, datetime

import structlog

from services.registry.events import PRIVATE_CONTENT, emit_contact_erased, without_contact
from shared.db.aggregates import AggregateStore
from shared.decisions import Decision

log = structlog.get_logger(__name__)


def _holds_contact(state: dict) -> bool:
    contents = [state.get("content"), *(h.get("content") for h in state["history"])]
    return any(name in (c or {}) for c in contents for name in PRIVATE_CONTENT)


def decide_erasure(state: dict | None, version: int, now: datetime, emitter: str) -> Decision | None:
    """The state without the contact in any revision, and the erasure told; None if already erased
    (a repeated request) or there is no such initiative."""
    if state is None or (state.get("contact_erased_at") and not _holds_contact(state)):
        return None
    new = {
        **state,
        "content": without_contact(state.get("content")),
        "history": [{**h, "content": without_contact(h.get("content"))} for h in state["history"]],
        "contact_erased_at": now.isoformat(),
    }
    return Decision(new, [emit_contact_erased(new, version + 1, emitter, now)])


class OrganiserContacts:
    def __init__(self, store: AggregateStore, emitter: str):
        self._store = store
        self._emitter = emitter

    async def erase(self, initiative_id: str) -> bool:
        """False: no such initiative. Erasing twice changes nothing the second time."""
        if await self._store.get(initiative_id) is None:
            return False
        now = datetime.now(UTC)
        doc = await self._store.change(initiative_id, lambda state, version: decide_erasure(state, version, now, self._emitter))
        log.info("organiser_contact_erased", initiative_id=initiative_id, changed=doc is not None)  # never the contact
        return True
