"""Pure decisions on an initiative: no I/O, no clock, no randomness (``now`` comes in).

The aggregate's state is the stored dict (``states.InitiativeState``), so a decision is a
function ``(state | None, version, command, now) -> Decision | NoChange``. NoChange means
nothing is written: a repeated revision or withdrawal is acknowledged and ignored.

Review status after a revision: ``review.status_after_revision`` (the material change rule).

Revision rule: the highest revision the publisher sent is current. Every distinct revision
received is kept in the history, in revision order; one that arrives after a newer one is
kept as ``applied: false`` (it happened at the publisher) but changes neither the current
content nor the status, and emits nothing. A withdrawal wins over every revision up to its
own; a revision above it submits the initiative anew.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.registry.domain.events import contact_of, emit, emit_contact, event_id, initiative_id, public_state
from services.registry.domain.review import status_after_revision
from services.registry.domain.states import HistoryEntry, InitiativeState, LateMark
from shared.decisions import Decision, NoChange
from shared.events.initiatives import (
    InitiativeRegisteredV1,
    InitiativeRevisedV1,
    InitiativeStatus,
    InitiativeSubmittedV1,
    InitiativeWithdrawalRecordedV1,
    InitiativeWithdrawnV1,
)

__all__ = ["Received", "SUBMISSION_TYPES", "decide_submission", "decide_withdrawal", "event_id", "initiative_id", "public_state"]

# What a publisher sends (on registry.submissions.v1 or to POST /v1/submissions), by CloudEvents type.
SUBMISSION_TYPES = {m.event_type: m for m in (InitiativeSubmittedV1, InitiativeWithdrawnV1)}


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


def _history_entry(revision: int, received: Received, now: datetime, applied: bool, kind: str, content: dict | None) -> HistoryEntry:
    return {
        "revision": revision,
        "kind": kind,
        "event_id": received.event_id,
        "via": received.via,
        "received_at": now.isoformat(),
        "applied": applied,
        "content": content,
    }


def _with_history(state: InitiativeState, entry: HistoryEntry) -> list[HistoryEntry]:
    return sorted([*state["history"], entry], key=lambda h: (h["revision"], h["kind"] == "withdrawal"))


def _first_state(data: InitiativeSubmittedV1 | InitiativeWithdrawnV1, received: Received, now: datetime, entry: HistoryEntry,
                 status: InitiativeStatus, content: dict | None, withdrawn_revision: int | None, queued_at: str | None) -> InitiativeState:
    """The state of an initiative seen for the first time (not stamped; ``entry`` its only history)."""
    return {
        "initiative_id": initiative_id(received.source, data.external_id),
        "source": received.source,
        "external_id": data.external_id,
        "revision": data.revision,
        "status": status.value,
        "stamped": False,
        "content": content,
        "received_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "history": [entry],
        "withdrawn_revision": withdrawn_revision,
        "queued_at": queued_at,
    }


def decide_submission(
    state: InitiativeState | None, version: int, data: InitiativeSubmittedV1, received: Received, now: datetime, emitter: str,
    late: LateMark | None = None, edition_id: str | None = None,
) -> Decision | NoChange:
    """``version`` is the aggregate's current version (0 when new); the emitted event gets version+1.

    ``late``: the mark of a submission after its edition's window (``domain.editions.lateness``), kept
    on a new initiative; accepted all the same. Later revisions keep the first one's mark.
    ``edition_id``: the edition the submission's period places it in (``domain.editions.edition_of``);
    a revision moves the initiative only when it changes the period (one without a period stays
    where it was placed, not in whatever edition is next on the day it is revised)."""
    if state is not None and any(h["revision"] == data.revision and h["kind"] == "revision" for h in state["history"]):
        return NoChange()  # a repeated revision: already kept
    if state is not None and data.revision <= max(state["revision"], state.get("withdrawn_revision") or 0):
        late = _history_entry(data.revision, received, now, applied=False, kind="revision", content=_content(data))
        return Decision({**state, "history": _with_history(state, late)})
    entry = _history_entry(data.revision, received, now, applied=True, kind="revision", content=_content(data))
    if state is None:
        new = {
            **_first_state(data, received, now, entry, InitiativeStatus.submitted, _content(data),
                           withdrawn_revision=None, queued_at=now.isoformat()),  # waiting for review since
            "late": late,
            "edition_id": edition_id,
        }
        # The contact is told even when none is given: notifications then knows there is no one to tell.
        return Decision(new, [emit(new, version + 1, InitiativeRegisteredV1, emitter, now, received.traceparent),
                              emit_contact(new, version + 1, emitter, now)])
    content = _content(data)
    status = status_after_revision(state["status"], state["content"], content)
    # The work list's "oldest first" counts from when the initiative (last) joined the queue.
    requeued = status == InitiativeStatus.submitted.value and state["status"] != status
    queued_at = now.isoformat() if requeued else state.get("queued_at")
    new = {
        **state,
        "revision": data.revision,
        "status": status,
        "stamped": status == InitiativeStatus.approved.value,
        "queued_at": queued_at,
        "content": content,
        "updated_at": now.isoformat(),
        "history": _with_history(state, entry),
        "edition_id": edition_id if content.get("period") != (state.get("content") or {}).get("period") else state.get("edition_id"),
    }
    events = [emit(new, version + 1, InitiativeRevisedV1, emitter, now, received.traceparent)]
    if contact_of(new) != contact_of(state):
        events.append(emit_contact(new, version + 1, emitter, now))
    return Decision(new, events)


def decide_withdrawal(
    state: InitiativeState | None, version: int, data: InitiativeWithdrawnV1, received: Received, now: datetime, emitter: str
) -> Decision | NoChange:
    if state is not None and any(h["revision"] == data.revision and h["kind"] == "withdrawal" for h in state["history"]):
        return NoChange()  # the same withdrawal again
    entry = _history_entry(data.revision, received, now, applied=True, kind="withdrawal", content=None)
    if state is None:
        # Withdrawn before we saw it: remember, so older revisions arriving late stay out.
        new = _first_state(data, received, now, entry, InitiativeStatus.withdrawn, None,
                           withdrawn_revision=data.revision, queued_at=None)
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
            "queued_at": None,
        }
    return Decision(new, [emit(new, version + 1, InitiativeWithdrawalRecordedV1, emitter, now, received.traceparent)])
