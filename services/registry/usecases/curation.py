"""Curators' review steps as a use case: one change of the initiative through the AggregateStore."""

from datetime import UTC, datetime

import structlog

from shared.refusals import accepted
from services.registry.domain.review import ReviewStep, decide_review
from shared.db.aggregates import AggregateStore, change_one

log = structlog.get_logger(__name__)


class Curation:
    def __init__(self, store: AggregateStore, emitter: str):
        self._store = store
        self._emitter = emitter

    async def review(self, initiative_id: str, step: ReviewStep) -> bool:
        """Take the step (``Refused`` when it cannot be taken); False if it was taken already."""
        now = datetime.now(UTC)
        changed = await change_one(self._store, initiative_id, lambda state, version: decide_review(state, version, step, now, self._emitter))
        accepted(changed)
        log.info("review_step", initiative_id=initiative_id, decision=step.decision.value, curator=step.curator, changed=changed.written)
        return changed.written
