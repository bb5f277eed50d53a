"""Erasing an organiser's contact (``domain.contacts``) as a use case: one change of the initiative."""

from datetime import UTC, datetime

import structlog

from services.registry.domain.contacts import decide_erasure
from shared.refusals import accepted
from shared.db.aggregates import AggregateStore, change_one

log = structlog.get_logger(__name__)


class OrganiserContacts:
    def __init__(self, store: AggregateStore, emitter: str):
        self._store = store
        self._emitter = emitter

    async def erase(self, initiative_id: str) -> None:
        """Erase it (``Refused`` 404: no such initiative). Erasing twice changes nothing the second time."""
        now = datetime.now(UTC)
        changed = await change_one(self._store, initiative_id, lambda state, version: decide_erasure(state, version, now, self._emitter))
        accepted(changed)
        log.info("organiser_contact_erased", initiative_id=initiative_id, changed=changed.written)  # never the contact
