"""The use case behind both edges: a publisher's submission or withdrawal takes effect once.

Called by the Kafka consumer and by ``POST /v1/submissions`` alike; both reach the aggregate
only through the shared ``AggregateStore`` (one writer per document). What cannot be taken
raises ``Rejection`` with reasons, before the store is asked: the consumer runner dead-letters it
(and the source can list it), the REST edge answers 422 with the same reasons.
"""

from datetime import UTC, datetime
from typing import Any

import structlog

from services.registry.adapters.editions import Editions
from services.registry.domain import inbox, initiatives, readers
from services.registry.domain.editions import belongs_to, lateness
from services.registry.domain.sources import may_publish
from services.registry.domain.vocabularies import check_codes
from services.registry.usecases.sources import Sources
from services.registry.usecases.vocabularies import Vocabularies
from shared.db.aggregates import AggregateStore, change_one
from shared.envelope import Envelope, Reason
from shared.events.initiatives import InitiativeSubmittedV1, InitiativeWithdrawnV1
from shared.kafka.subscriptions import Rejection

log = structlog.get_logger(__name__)

class Submissions:
    def __init__(self, store: AggregateStore, emitter: str, sources: Sources, vocabularies: Vocabularies, editions: Editions):
        self._store = store
        self._emitter = emitter
        self._sources = sources
        self._vocabularies = vocabularies
        self._editions = editions

    async def _check_source(self, source: str) -> None:
        reason = may_publish(await self._sources.cached(source), source)
        if reason is not None:
            raise Rejection([reason])

    async def proven(self, topic: str, event: Envelope) -> Reason | None:
        """Refuses an event on a publisher's inbox that claims another source (``source_mismatch``)."""
        return inbox.source_mismatch(await self._sources.cached(event.source), event.source, inbox.proven_principal(topic))

    async def submitted(self, event: Envelope, data: InitiativeSubmittedV1, via: str = "kafka") -> str:
        await self._check_source(event.source)
        aggregate_id = initiatives.initiative_id(event.source, data.external_id)
        content = data.model_dump(mode="json", exclude_none=True)
        vocabularies = await self._vocabularies.cached()
        reasons = check_codes(content, vocabularies, None)
        if reasons and all(r.code == "retired_code" for r in reasons):
            # Read outside the lock, and only now: a retired code may stay on an initiative that
            # has it (most submissions carry none, and skip this round trip).
            current = await self._store.get(aggregate_id)
            reasons = check_codes(content, vocabularies, (current or {}).get("state", {}).get("content"))
        if reasons:
            raise Rejection(reasons)
        received = initiatives.Received(event.source, event.id, via, event.traceparent)
        now = datetime.now(UTC)
        # A cached copy (editions are few); only a new initiative's decision keeps the mark.
        editions = await self._editions.cached()
        late, edition_id = lateness(editions, content.get("period"), now), belongs_to(editions, content.get("period"), now)
        changed = await change_one(
            self._store,
            aggregate_id,
            lambda state, version: initiatives.decide_submission(state, version, data, received, now, self._emitter, late, edition_id),
            # A publisher's first revision is almost always a new initiative: written without a read.
            new=data.revision == 1,
        )
        log.info("submission_taken", initiative_id=aggregate_id, revision=data.revision, changed=changed.written)
        return aggregate_id

    async def withdrawn(self, event: Envelope, data: InitiativeWithdrawnV1, via: str = "kafka") -> str:
        await self._check_source(event.source)
        received = initiatives.Received(event.source, event.id, via, event.traceparent)
        aggregate_id = initiatives.initiative_id(event.source, data.external_id)
        now = datetime.now(UTC)
        await change_one(
            self._store, aggregate_id, lambda state, version: initiatives.decide_withdrawal(state, version, data, received, now, self._emitter)
        )
        log.info("withdrawal_taken", initiative_id=aggregate_id, revision=data.revision)
        return aggregate_id

    async def dispatch(self, event: Envelope, data: Any, via: str) -> str:
        if isinstance(data, InitiativeSubmittedV1):
            return await self.submitted(event, data, via)
        return await self.withdrawn(event, data, via)

    async def get_document(self, aggregate_id: str) -> dict | None:
        """The stored document (``state``, ``state_version``); who may see what is ``readers``'."""
        return await self._store.get(aggregate_id)

    async def get(self, aggregate_id: str) -> dict | None:
        """The whole state, as staff see it (with the contact, every revision and review step)."""
        doc = await self._store.get(aggregate_id)
        return None if doc is None else readers.whole(doc["state"], doc["state_version"])
