"""How a change of an initiative becomes its outbound event: the full public state, a stable id.

Pure (no clock, no randomness): the event id follows from the aggregate's id and version, so
a decision retried after a crash emits the very same event, which consumers deduplicate.
"""

import uuid
from datetime import datetime

from shared.db.aggregates import Pending
from shared.envelope import new_event
from shared.events.initiatives import InitiativeState
from shared.topics import REGISTRY_INITIATIVES

ID_NAMESPACE = uuid.UUID("6f1c3a52-8f0e-4d1b-9a57-0c9a1e6f2b10")

# Kept in the stored state for the registry's own use, never on the topic.
INTERNAL_FIELDS = ("history", "withdrawn_revision", "queued_at", "reviews")


def initiative_id(source: str, external_id: str) -> str:
    """Stable for (source, external_id): any replica computes the same id."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{source}\n{external_id}"))


def event_id(aggregate_id: str, version: int) -> str:
    """The id of the event a change emits: the same after a crash and a retry."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{aggregate_id}\n{version}"))


def public_state(state: dict) -> dict:
    """The state as every registry event carries it (without the registry's bookkeeping)."""
    return {k: v for k, v in state.items() if k not in INTERNAL_FIELDS}


def emit(state: dict, version: int, event_type: type[InitiativeState], source: str, now: datetime, traceparent: str | None) -> Pending:
    payload = event_type.model_validate({**public_state(state), "version": version})
    event = new_event(
        payload,
        source=source,
        subject=state["initiative_id"],
        event_id=event_id(state["initiative_id"], version),
        time=now,
        traceparent=traceparent,
    )
    return Pending.of(REGISTRY_INITIATIVES, event)
