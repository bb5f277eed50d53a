"""The use case behind both edges: a publisher's submission or withdrawal takes effect once.

Called by the Kafka consumer and by ``POST /v1/submissions`` alike; both reach the aggregate
only through the shared ``AggregateStore`` (one writer per document).
"""

from datetime import UTC, datetime
from typing import Any

import structlog

from services.registry import domain
from shared.db.aggregates import AggregateStore
from shared.envelope import Envelope
from shared.events.initiatives import InitiativeSubmittedV1, InitiativeWithdrawnV1

log = structlog.get_logger(__name__)

COLLECTION = "initiatives"


class Submissions:
    def __init__(self, store: AggregateStore, emitter: str):
        self._store = store
        self._emitter = emitter

    async def submitted(self, event: Envelope, data: InitiativeSubmittedV1, via: str = "kafka") -> str:
        received = domain.Received(event.source, event.id, via, event.traceparent)
        aggregate_id = domain.initiative_id(event.source, data.external_id)
        now = datetime.now(UTC)
        doc = await self._store.change(
            aggregate_id, lambda state, version: domain.decide_submission(state, version, data, received, now, self._emitter)
        )
        log.info("submission_taken", initiative_id=aggregate_id, revision=data.revision, changed=doc is not None)
        return aggregate_id

    async def withdrawn(self, event: Envelope, data: InitiativeWithdrawnV1, via: str = "kafka") -> str:
        received = domain.Received(event.source, event.id, via, event.traceparent)
        aggregate_id = domain.initiative_id(event.source, data.external_id)
        now = datetime.now(UTC)
        await self._store.change(
            aggregate_id, lambda state, version: domain.decide_withdrawal(state, version, data, received, now, self._emitter)
        )
        return aggregate_id

    async def dispatch(self, event: Envelope, data: Any, via: str) -> str:
        if isinstance(data, InitiativeSubmittedV1):
            return await self.submitted(event, data, via)
        return await self.withdrawn(event, data, via)

    async def get(self, aggregate_id: str) -> dict | None:
        doc = await self._store.get(aggregate_id)
        if doc is None:
            return None
        return {**doc["state"], "version": doc["state_version"]}
