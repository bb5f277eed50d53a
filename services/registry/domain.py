"""Pure decisions on an initiative: no I/O, no clock, no randomness (``now`` comes in).

The aggregate's state is a plain dict (what is stored), so a decision is a function
``(state | None, command, now) -> Decision | None``. None means "changes nothing":
a repeated revision, or one older than the current, is acknowledged and ignored.

Revision rule: the highest revision the publisher sent is current. Every distinct revision
received is kept in the history, in revision order; one that arrives after a newer one is
kept as ``applied: false`` (it happened at the publisher) but changes neither the current
content nor the status, and emits nothing. A withdrawal wins over every revision up to its
own; a revision above it submits the initiative anew.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.db.aggregates import Decision, Pending
from shared.envelope import EventData, new_event
from shared.events.initiatives import (
    InitiativeRegisteredV1,
    InitiativeRevisedV1,
    InitiativeStatus,
    InitiativeSubmittedV1,
    InitiativeWithdrawalRecordedV1,
    InitiativeWithdrawnV1,
)
from shared.topics import REGISTRY_INITIATIVES

ID_NAMESPACE = uuid.UUID("6f1c3a52-8f0e-4d1b-9a57-0c9a1e6f2b10")


def initiative_id(source: str, external_id: str) -> str:
    """Stable for (source, external_id): any replica computes the same id."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{source}\n{external_id}"))


def event_id(aggregate_id: str, version: int) -> str:
    """The id of the event a change emits: the same after a crash and a retry."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{aggregate_id}\n{version}"))


@dataclass(frozen=True)
class Received:
    """Where a command came from: the CloudEvent's source and id, and the edge."""

    source: str
    event_id: str
    via: str  # "kafka" | "rest"
    traceparent: str | None = None


CONTENT_FIELDS = tuple(f for f in InitiativeSubmittedV1.model_fields if f not in ("external_id", "revision"))


def _content(data: InitiativeSubmittedV1) -> dict[str, Any]:
    return data.model_dump(mode="json", include=set(CONTENT_FIELDS), exclude_none=True)


def _history_entry(revision: int, received: Received, now: datetime, applied: bool, kind: str, content: dict | None) -> dict:
    return {
        "revision": revision,
        "kind": kind,
        "event_id": received.event_id,
        "via": received.via,
        "received_at": now.isoformat(),
        "applied": applied,
        "content": content,
    }


def _with_history(state: dict, entry: dict) -> list[dict]:
    return sorted([*state["history"], entry], key=lambda h: (h["revision"], h["kind"] == "withdrawal"))


def _emit(state: dict, version: int, event_type: type[EventData], source: str, now: datetime, traceparent: str | None) -> Pending:
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


def public_state(state: dict) -> dict:
    """The state as every registry event carries it (without the history)."""
    return {k: v for k, v in state.items() if k not in ("history", "withdrawn_revision")}


def decide_submission(
    state: dict | None, version: int, data: InitiativeSubmittedV1, received: Received, now: datetime, emitter: str
) -> Decision | None:
    """``version`` is the aggregate's current version (0 when new); the emitted event gets version+1."""
    if state is not None and any(h["revision"] == data.revision and h["kind"] == "revision" for h in state["history"]):
        return None  # a repeated revision: already kept
    if state is not None and data.revision <= max(state["revision"], state.get("withdrawn_revision") or 0):
        late = _history_entry(data.revision, received, now, applied=False, kind="revision", content=_content(data))
        return Decision({**state, "history": _with_history(state, late)})
    entry = _history_entry(data.revision, received, now, applied=True, kind="revision", content=_content(data))
    if state is None:
        new = {
            "initiative_id": initiative_id(received.source, data.external_id),
            "source": received.source,
            "external_id": data.external_id,
            "revision": data.revision,
            "status": InitiativeStatus.submitted.value,
            "stamped": False,
            "content": _content(data),
            "received_at": now.isoformat(),
            "updated_at": now.isoformat(),
            "history": [entry],
            "withdrawn_revision": None,
        }
        return Decision(new, [_emit(new, version + 1, InitiativeRegisteredV1, emitter, now, received.traceparent)])
    status = state["status"]
    if status == InitiativeStatus.withdrawn.value:
        status = InitiativeStatus.submitted.value  # a revision above the withdrawal submits it anew
    new = {
        **state,
        "revision": data.revision,
        "status": status,
        "content": _content(data),
        "updated_at": now.isoformat(),
        "history": _with_history(state, entry),
    }
    return Decision(new, [_emit(new, version + 1, InitiativeRevisedV1, emitter, now, received.traceparent)])


def decide_withdrawal(
    state: dict | None, version: int, data: InitiativeWithdrawnV1, received: Received, now: datetime, emitter: str
) -> Decision | None:
    if state is not None and any(h["revision"] == data.revision and h["kind"] == "withdrawal" for h in state["history"]):
        return None  # the same withdrawal again
    entry = _history_entry(data.revision, received, now, applied=True, kind="withdrawal", content=None)
    if state is None:
        # Withdrawn before we saw it: remember, so older revisions arriving late stay out.
        new = {
            "initiative_id": initiative_id(received.source, data.external_id),
            "source": received.source,
            "external_id": data.external_id,
            "revision": data.revision,
            "status": InitiativeStatus.withdrawn.value,
            "stamped": False,
            "content": None,
            "received_at": now.isoformat(),
            "updated_at": now.isoformat(),
            "history": [entry],
            "withdrawn_revision": data.revision,
        }
    else:
        if data.revision < state["revision"]:
            late = {**entry, "applied": False}
            return Decision({**state, "history": _with_history(state, late)})
        new = {
            **state,
            "revision": data.revision,
            "status": InitiativeStatus.withdrawn.value,
            "stamped": False,
            "updated_at": now.isoformat(),
            "history": _with_history(state, entry),
            "withdrawn_revision": data.revision,
        }
    return Decision(new, [_emit(new, version + 1, InitiativeWithdrawalRecordedV1, emitter, now, received.traceparent)])
