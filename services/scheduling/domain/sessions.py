"""Sessions: pure decisions on one session's document — its schedule, publication, cancellation, seats.

The stored state is the public ``SessionState`` (without ``version``, which is the document's
state version) plus what only scheduling needs: ``max_party_size``, ``duration_minutes``,
``preferred_days``, ``organizer_key``, ``published_once``, and the seat book (counters, the
ordered ``waitlist``, what changed, the last batch taken; see ``seats``). Each registration is
its own insert-only document (``registrations``), so a session's write stays small.

Events (all in the session document's outbox, so they leave in the order they happened):
session events on ``scheduling.sessions.v1`` and registration events on
``scheduling.registrations.v1``, both keyed by the session id, so one session's story stays in
order on one partition.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.scheduling.domain import seats
from services.scheduling.domain.conflicts import Booking
from services.scheduling.domain.events import emit
from shared.refusals import Refused
from services.scheduling.domain.seats import NewRegistration
from services.scheduling.domain.states import RegistrationEntry, SessionState
from shared.decisions import Decision, NoChange, Pending
from shared.envelope import EventData
from shared.events.scheduling import (
    RegistrationCancelledV1,
    RegistrationCheckedInV1,
    RegistrationConfirmedV1,
    RegistrationPromotedV1,
    RegistrationState,
    RegistrationWaitlistedV1,
    SessionCancelledV1,
    SessionPublishedV1,
    SessionRescheduledV1,
    SessionScheduledV1,
    SessionStatus,
    SessionUpdatedV1,
)
from shared.events.scheduling import SessionState as PublicSession
from shared.topics import SCHEDULING_REGISTRATIONS, SCHEDULING_SESSIONS

PUBLIC_FIELDS = tuple(f for f in PublicSession.model_fields if f != "version")
PLACE_FIELDS = ("starts_at", "ends_at", "venue", "online_url")
LIVE = (SessionStatus.published.value, SessionStatus.rescheduled.value)
NO_SUCH_SESSION = Refused(404, "session_id", "not_found", "No such session")


def public(state: SessionState) -> dict[str, Any]:
    """What every session event carries (seat counts follow from the seat book)."""
    out = {k: state.get(k) for k in PUBLIC_FIELDS if k in state}
    out["seats_confirmed"] = state.get("seats_confirmed", 0)
    out["waitlisted"] = len(state.get("waitlist", []))
    return out


def is_placed(state: SessionState) -> bool:
    return bool(state.get("starts_at") and state.get("ends_at") and (state.get("venue") or state.get("online_url")))


def booking_of(state: SessionState) -> Booking | None:
    """The session as the conflict check sees it; None when it has no time yet or is cancelled."""
    if not (state.get("starts_at") and state.get("ends_at")) or state["status"] == SessionStatus.cancelled.value:
        return None
    return Booking(
        session_id=state["session_id"],
        starts_at=datetime.fromisoformat(state["starts_at"]),
        ends_at=datetime.fromisoformat(state["ends_at"]),
        organizer=state["organizer_key"],
        capacity=state["capacity"],
        venue_id=(state.get("venue") or {}).get("venue_id"),
        accessibility=frozenset(state.get("accessibility", [])),
    )


class Emitter:
    """Collects one change's events, numbering them for their ids."""

    def __init__(self, state: SessionState, version: int, now: datetime, source: str):
        self.state, self.version, self.now, self.source = state, version, now, source
        self.events: list[Pending] = []

    def session(self, model: type[EventData]) -> None:
        sid = self.state["session_id"]
        self.events.append(emit(SCHEDULING_SESSIONS, model, public(self.state), self.version, sid, self.now, self.source, len(self.events)))

    def registration(self, model: type[EventData], entry: RegistrationEntry) -> None:
        """``entry``: the registration as it stands after this change (``seats.current``)."""
        rid = entry["registration_id"]
        payload = {
            "registration_id": rid,
            "session_id": self.state["session_id"],
            "edition_id": self.state["edition_id"],
            "status": entry["status"],
            "party_size": entry["party_size"],
            "language": entry["language"],
            "channel": entry["channel"],
            "waitlist_position": seats.waitlist_position(self.state, rid),
            "attended": entry["attended"],
            "registered_at": entry["registered_at"],
        }
        sid = self.state["session_id"]
        self.events.append(
            emit(SCHEDULING_REGISTRATIONS, model, payload, self.version, sid, self.now, self.source, len(self.events), subject=rid, data_version=entry["version"])
        )


def registration_view(state: SessionState, taken: RegistrationEntry) -> dict:
    """A registration (its document as taken) as its owner (the private link) or a scheduler sees
    it, with what changed since: no contact."""
    entry = seats.current(state, taken)
    rid = entry["registration_id"]
    return {
        **RegistrationState.model_validate(
            {
                "registration_id": rid,
                "version": entry["version"],
                "session_id": state["session_id"],
                "edition_id": state["edition_id"],
                "status": entry["status"],
                "party_size": entry["party_size"],
                "language": entry["language"],
                "channel": entry["channel"],
                "waitlist_position": seats.waitlist_position(state, rid),
                "attended": entry["attended"],
                "registered_at": entry["registered_at"],
            }
        ).model_dump(mode="json"),
        "code": entry["code"],
        "sequence": entry["seq"],
    }


def decide_save(current: SessionState | None, version: int, new: SessionState, now: datetime, source: str) -> Decision | NoChange:
    """Store a new or changed schedule; the event follows from what changed and the status.
    Refused (the outcome): a cancelled session."""
    if current is not None and current["status"] == SessionStatus.cancelled.value:
        return NoChange(Refused(409, "status", "cancelled", "A cancelled session does not change"))
    if current is not None and new == current:
        return NoChange()
    moved = False
    if current is not None and current["status"] in LIVE:
        moved = any(current.get(f) != new.get(f) for f in PLACE_FIELDS)
        if moved:
            new = {**new, "status": SessionStatus.rescheduled.value, "previous_starts_at": current.get("starts_at")}
        else:
            new = {**new, "status": current["status"]}
    else:
        placed = is_placed(new) and new["status"] != SessionStatus.draft.value
        new = {**new, "status": SessionStatus.scheduled.value if placed else SessionStatus.draft.value}
    promoted: list[dict] = []
    if new["status"] in LIVE:
        new, promoted = seats.promote(new)
    out = Emitter(new, version + 1, now, source)
    if moved:
        out.session(SessionRescheduledV1)
    elif new["status"] in LIVE:
        out.session(SessionUpdatedV1)
    elif new.get("starts_at") and new.get("ends_at"):
        out.session(SessionScheduledV1)  # placed (draft or scheduled), not yet public
    for entry in promoted:
        out.registration(RegistrationPromotedV1, entry)
    return Decision(new, out.events)


def decide_publish(current: SessionState | None, version: int, now: datetime, source: str) -> Decision | NoChange:
    if current is None:
        return NoChange(NO_SUCH_SESSION)
    if current["status"] in LIVE or current["status"] == SessionStatus.cancelled.value:
        return NoChange()
    if current["status"] != SessionStatus.scheduled.value:
        return NoChange(Refused(409, "status", "not_scheduled", "Only a scheduled session (with time and place) can be published"))
    new = {**current, "status": SessionStatus.published.value, "published_once": True}
    out = Emitter(new, version + 1, now, source)
    out.session(SessionPublishedV1)
    return Decision(new, out.events)


def decide_cancel(current: SessionState | None, version: int, reason: str | None, now: datetime, source: str) -> Decision | NoChange:
    if current is None:
        return NoChange(NO_SUCH_SESSION)
    if current["status"] == SessionStatus.cancelled.value:
        return NoChange()
    new = {**current, "status": SessionStatus.cancelled.value, "cancellation_reason": reason}
    out = Emitter(new, version + 1, now, source)
    if new.get("starts_at") and new.get("ends_at"):
        out.session(SessionCancelledV1)
    return Decision(new, out.events)


@dataclass(frozen=True)
class Taken:
    """A batch's outcome: each registration's (``"confirmed"``, ``"waitlisted"``, ``seats.REPEAT`` or
    its ``Refused``) in the batch's order (a list, not by id: two repeats of one keyed request share
    their id), and the documents of the registrations it took, to write."""

    outcomes: list[str | Refused]
    taken: list[RegistrationEntry]


def decide_register(
    current: SessionState | None, version: int, batch: list[NewRegistration], now: datetime, source: str, keys: dict[str, str] | None = None
) -> Decision | NoChange:
    """Take a batch of registrations in order (one write for all): each is confirmed, waitlisted,
    a repeat of one already taken under its Idempotency-Key, or refused. ``keys``: the
    registration each Idempotency-Key (its ref) took before, as the caller found them.

    The outcome is ``Taken`` (nothing written when none was taken), or ``Refused`` when there is
    no such session. The state's ``taken`` is this batch's, replacing the last one's (the caller
    wrote those documents before). One ``session.updated`` closes the batch.
    """
    if current is None:
        return NoChange(NO_SUCH_SESSION)
    state = {**current, "taken": {}}
    keys = dict(keys or {})
    outcomes: list[str | Refused] = []
    taken: list[RegistrationEntry] = []
    for new_reg in batch:
        try:
            state, status, entry = seats.register(state, new_reg, now, keys.get(new_reg.idempotency_ref or ""))
        except Refused as refusal:
            outcomes.append(refusal)
            continue
        outcomes.append(status)
        if entry is not None:
            taken.append(entry)
            if new_reg.idempotency_ref is not None:
                keys[new_reg.idempotency_ref] = new_reg.registration_id
    if not taken:
        return NoChange(Taken(outcomes, []))
    out = Emitter(state, version + 1, now, source)
    for entry in taken:
        out.registration(RegistrationConfirmedV1 if entry["status"] == "confirmed" else RegistrationWaitlistedV1, entry)
    out.session(SessionUpdatedV1)
    return Decision(state, out.events, outcome=Taken(outcomes, taken))


def decide_cancel_registration(current: SessionState | None, version: int, entry: RegistrationEntry, now: datetime, source: str) -> Decision | NoChange:
    """``entry``: the registration's document (as taken)."""
    if current is None:
        return NoChange(NO_SUCH_SESSION)
    result = seats.cancel(current, entry)
    if result is None:
        return NoChange()
    state, cancelled, promoted = result
    out = Emitter(state, version + 1, now, source)
    out.registration(RegistrationCancelledV1, cancelled)
    for p in promoted:
        out.registration(RegistrationPromotedV1, p)
    if state["status"] in LIVE:
        out.session(SessionUpdatedV1)
    return Decision(state, out.events)


def with_code(current: SessionState, found: RegistrationEntry | None, code: str) -> RegistrationEntry | None:
    """The registration with ``code``: its document as the caller ``found`` it, else one of the
    session's last batch whose document is not written yet (its batch's process died)."""
    return found or next((e for e in current.get("taken", {}).values() if e["code"] == code), None)


def decide_check_in(
    current: SessionState | None, version: int, found: RegistrationEntry | None, code: str, now: datetime, source: str, opens_before: timedelta
) -> Decision | NoChange:
    """``found``: the document of the registration with the ``code`` given at the door, or None.
    Only inside the session's check-in window (``seats.check_in_open``). The outcome is the
    registration checked in (its document as taken), or the ``Refused``."""
    if current is None:
        return NoChange(NO_SUCH_SESSION)
    entry = with_code(current, found, code)
    try:
        seats.check_in_open(current, now, opens_before)
        result = seats.check_in(current, entry)
    except Refused as refusal:
        return NoChange(refusal)
    if result is None:
        return NoChange(entry)
    state, checked_in = result
    out = Emitter(state, version + 1, now, source)
    out.registration(RegistrationCheckedInV1, checked_in)
    return Decision(state, out.events, outcome=entry)
