"""Outcome reports as a use case: filed by a publisher (REST or Kafka), reviewed by a curator.

Every change goes through the reports' ``AggregateStore``: the state and its ``ReportStateV1`` in the
report's outbox in one write (the relay publishes it). What may not be filed is refused before the
store is asked: over REST as the ``Refused`` 4xx, over Kafka as a ``Rejection`` with the same reason
(dead-lettered to registry.submissions.rejected.v1, where the source lists it). Codes are checked
against the vocabularies as submissions' are (a retired code only where the report has it already).
"""

from datetime import UTC, datetime

import structlog

from services.registry.adapters.reports import SessionStarts
from services.registry.domain import reports
from services.registry.domain.initiatives import initiative_id as id_of
from services.registry.domain.sources import may_publish
from services.registry.domain.vocabularies import check_codes
from services.registry.usecases.sources import Sources
from services.registry.usecases.vocabularies import Vocabularies
from shared.db.aggregates import AggregateStore, change_one
from shared.envelope import Envelope, Reason
from shared.events.reports import ReportSubmittedV1
from shared.kafka.subscriptions import Rejection
from shared.refusals import Refused, accepted

log = structlog.get_logger(__name__)
CONTENT_FIELDS = tuple(f for f in ReportSubmittedV1.model_fields if f not in ("external_id", "revision"))


class Reports:
    def __init__(self, store: AggregateStore, initiatives: AggregateStore, session_starts: SessionStarts, sources: Sources,
                 vocabularies: Vocabularies, emitter: str):
        self._store = store
        self._initiatives = initiatives
        self._starts = session_starts
        self._sources = sources
        self._vocabularies = vocabularies
        self._emitter = emitter

    async def file(self, source: str, initiative_id: str, revision: int, content: dict, via: str, event_id: str | None = None) -> bool:
        """Take a revision of the initiative's report from ``source``; False when it changed nothing.
        Raises ``Refused`` (who, when) or ``Rejection`` (codes, fields named ``data.…``)."""
        now = datetime.now(UTC)
        doc = await self._initiatives.get(initiative_id)
        initiative = doc["state"] if doc else None
        refused = reports.refusal_to_file(initiative, source, await self._starts.first_start(initiative_id), now)
        if refused is not None:
            raise refused
        current = await self._store.get(initiative_id)
        reasons = check_codes(content, await self._vocabularies.cached(), (current or {}).get("state", {}).get("content"))
        if reasons:
            raise Rejection(reasons)
        filing = reports.Filing(initiative, revision, content, via, event_id)
        changed = await change_one(self._store, initiative_id, lambda state, v: reports.decide_filing(state, v, filing, now, self._emitter))
        log.info("report_filed", initiative_id=initiative_id, revision=revision, via=via, changed=changed.written)
        return changed.written

    async def submitted(self, event: Envelope, data: ReportSubmittedV1) -> None:
        """The Kafka edge (registry.submissions.v1): a refusal becomes the dead letter's reasons."""
        reason = may_publish(await self._sources.cached(event.source), event.source)
        if reason is not None:
            raise Rejection([reason])
        content = data.model_dump(mode="json", include=set(CONTENT_FIELDS), exclude_none=True)
        try:
            await self.file(event.source, id_of(event.source, data.external_id), data.revision, content, "kafka", event.id)
        except Refused as r:
            raise Rejection([Reason(field=r.field, code=r.code, message=r.message)]) from None

    async def review(self, initiative_id: str, step: reports.ReportStep) -> bool:
        """A curator's step; ``Refused`` when it cannot be taken (an unknown partner source: 404 naming it,
        as for any resource the request names that is not there)."""
        for index, uri in step.partner_sources.items():
            if uri and await self._sources.cached(uri) is None:
                raise Refused(404, f"partner_sources.{index}", "unknown_source", f"'{uri}' is not a registered source (see GET /v1/sources)")
        now = datetime.now(UTC)
        changed = accepted(await change_one(self._store, initiative_id,
                                            lambda state, v: reports.decide_report_review(state, v, step, now, self._emitter)))
        log.info("report_review_step", initiative_id=initiative_id, decision=step.decision.value, curator=step.curator, changed=changed.written)
        return changed.written

    async def get_document(self, initiative_id: str) -> dict | None:
        return await self._store.get(initiative_id)
