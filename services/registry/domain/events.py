"""How a change of an initiative becomes its outbound events: the full public state, a stable id.

Pure (no clock, no randomness): the event id follows from the aggregate's id and version, so
a decision retried after a crash emits the very same event, which consumers deduplicate.

The organiser's contact is personal data: it never goes on ``registry.initiatives.v1`` (reporting
reads that), only on the restricted, compacted ``registry.contacts.v1`` (notifications reads it),
keyed by initiative id: recorded when it is registered or a revision changes it, erased on request.
"""

import uuid
from datetime import datetime

from shared.decisions import Pending
from shared.envelope import new_event
from services.registry.domain.states import InitiativeState
from shared.events.initiatives import InitiativeContactErasedV1, InitiativeContactRecordedV1
from shared.events.initiatives import InitiativeState as InitiativeEventData
from shared.topics import REGISTRY_CONTACTS, REGISTRY_INITIATIVES

ID_NAMESPACE = uuid.UUID("6f1c3a52-8f0e-4d1b-9a57-0c9a1e6f2b10")

# Kept in the stored state for the registry's own use, never on the topic.
INTERNAL_FIELDS = ("history", "withdrawn_revision", "queued_at", "reviews")
PRIVATE_CONTENT = ("contact",)  # only on registry.contacts.v1


def initiative_id(source: str, external_id: str) -> str:
    """Stable for (source, external_id): any replica computes the same id."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{source}\n{external_id}"))


def event_id(aggregate_id: str, version: int) -> str:
    """The id of the event a change emits: the same after a crash and a retry."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{aggregate_id}\n{version}"))


def without_contact(content: dict | None) -> dict | None:
    return None if content is None else {k: v for k, v in content.items() if k not in PRIVATE_CONTENT}


def public_state(state: InitiativeState) -> dict:
    """The state as every registry event carries it (without the registry's bookkeeping, without the contact)."""
    return {**{k: v for k, v in state.items() if k not in INTERNAL_FIELDS}, "content": without_contact(state.get("content"))}


def emit(state: InitiativeState, version: int, event_type: type[InitiativeEventData], source: str, now: datetime, traceparent: str | None) -> Pending:
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


def contact_of(state: InitiativeState | None) -> dict | None:
    return ((state or {}).get("content") or {}).get("contact")


def emit_contact(state: InitiativeState, version: int, source: str, now: datetime) -> Pending:
    """The organiser's contact as it is now (null: none given), for notifications only."""
    data = InitiativeContactRecordedV1(initiative_id=state["initiative_id"], version=version, contact=contact_of(state))
    return _on_contacts(state["initiative_id"], data, version, "recorded", source, now)


def emit_contact_erased(state: InitiativeState, version: int, source: str, now: datetime) -> Pending:
    data = InitiativeContactErasedV1(initiative_id=state["initiative_id"], version=version, erased_at=now)
    return _on_contacts(state["initiative_id"], data, version, "erased", source, now)


def _on_contacts(aggregate_id: str, data, version: int, kind: str, source: str, now: datetime) -> Pending:
    # Its own id: an initiative event of the same version may be emitted beside it.
    eid = str(uuid.uuid5(ID_NAMESPACE, f"{aggregate_id}\n{version}\ncontact-{kind}"))
    return Pending.of(REGISTRY_CONTACTS, new_event(data, source=source, subject=aggregate_id, event_id=eid, time=now))
