"""Seats: confirm, waitlist, cancel, promote, check in — pure decisions on one session's seat counts.

What a decision needs lives in the session's own document, so every change of its seats is one
small write behind the session's keyed lock (200 concurrent registrations cannot overbook):
``seats_confirmed`` (party sizes summed), the ordered ``waitlist`` (each entry carries what a
promotion's event tells), ``next_seq``, ``changed`` (status, attendance and version of the
registrations that moved after they were taken) and ``taken`` (the last batch's new
registrations, until their own documents are written; see ``registrations``).

A registration itself is one insert-only document ``{_id, session_id, token_sha256, seq, code,
status, party_size, …}`` as it was taken; its state now is that document overlaid with
``changed`` (``current``). The seat book no longer grows with every registration: a session
with 1,000 registrations is written as cheaply as one with 10.

Rules
- A registration is confirmed when the waiting list is empty and its whole party fits in
  the free seats; otherwise it joins the end of the waiting list (nobody overtakes).
- A freed seat (a cancellation, a larger capacity) promotes from the head of the waiting
  list, in order, as long as the head's whole party fits; the head is never skipped.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.refusals import Refused
from services.scheduling.domain.states import RegistrationEntry, SessionState

TZ = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class NewRegistration:
    registration_id: str
    party_size: int
    language: str
    channel: str
    token_sha256: str  # kept in the registration's own document
    code_candidates: tuple[str, ...]  # random letters; the code is the seq's letters and these (unique per session by the seq)
    idempotency_ref: str | None = None  # SHA-256 of (session, Idempotency-Key)


REPEAT = "repeat"  # the outcome of a request whose Idempotency-Key already took this very registration


OPEN_FOR_REGISTRATION = ("published", "rescheduled")
# The session state's fields that are the seat book: a schedule change keeps them as they are
SEAT_BOOK = ("seats_confirmed", "waitlist", "next_seq", "changed", "taken")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door
CODE_LENGTH = 6


def empty_book() -> dict:
    return {"seats_confirmed": 0, "waitlist": [], "next_seq": 1, "changed": {}, "taken": {}}


def code_for(seq: int, random_letters: str) -> str:
    """The seq in the code's alphabet (3 letters up to 32,767, more beyond), then random letters to
    6: unique within the session without reading the other registrations' codes."""
    digits = ""
    while seq or len(digits) < 3:
        seq, d = divmod(seq, len(CODE_ALPHABET))
        digits = CODE_ALPHABET[d] + digits
    return (digits + random_letters)[: max(CODE_LENGTH, len(digits) + 1)]


def current(state: SessionState, entry: RegistrationEntry) -> RegistrationEntry:
    """A registration as it stands: its document (as taken) with what changed since."""
    return {**entry, **state.get("changed", {}).get(entry["registration_id"], {})}


def free_seats(state: SessionState) -> int:
    return max(0, state["capacity"] - state.get("seats_confirmed", 0))


def waitlist_position(state: SessionState, registration_id: str) -> int | None:
    for i, w in enumerate(state.get("waitlist", [])):
        if w["registration_id"] == registration_id:
            return i + 1
    return None


def register(state: SessionState, new: NewRegistration, now: datetime, taken_under_key: str | None = None) -> tuple[dict, str, dict | None]:
    """The session's new state, the registration's status ("confirmed" or "waitlisted") and its
    document as taken; or the state unchanged, ``REPEAT`` and None when its Idempotency-Key took
    this very registration before (checked first: a repeat answers even once the session is full
    or started). ``taken_under_key``: the registration the key took before, as the caller found it
    (its document), or None; the last batch's ``taken`` is looked at too."""
    if new.idempotency_ref is not None:
        taken_under_key = taken_under_key or next(
            (rid for rid, e in state.get("taken", {}).items() if e.get("idempotency_ref") == new.idempotency_ref), None
        )
        if taken_under_key == new.registration_id:
            return state, REPEAT, None
        if taken_under_key is not None:
            raise Refused(422, "Idempotency-Key", "key_reused", "This Idempotency-Key was used for a different registration (other details)")
    if state["status"] not in OPEN_FOR_REGISTRATION:
        raise Refused(409, "session_id", "not_open", "The session does not take registrations")
    if not state["registration_required"]:
        raise Refused(409, "session_id", "registration_not_required", "The session needs no registration")
    if datetime.fromisoformat(state["starts_at"]) <= now:
        raise Refused(409, "session_id", "started", "The session has already started")
    if new.party_size > state["max_party_size"]:
        raise Refused(409, "party_size", "too_large", f"A party is at most {state['max_party_size']}")
    if new.registration_id in state.get("taken", {}):
        raise Refused(409, "registration_id", "exists", "The registration exists")
    fits = not state["waitlist"] and new.party_size <= free_seats(state)
    status = "confirmed" if fits else "waitlisted"
    seq = state.get("next_seq", 1)
    entry = {
        "registration_id": new.registration_id,
        "session_id": state["session_id"],
        "token_sha256": new.token_sha256,
        "status": status,
        "party_size": new.party_size,
        "language": new.language,
        "channel": new.channel,
        "registered_at": now.isoformat(),
        "code": code_for(seq, new.code_candidates[0]),
        "attended": False,
        "version": 1,
        "seq": seq,
    }
    if new.idempotency_ref is not None:
        entry["idempotency_ref"] = new.idempotency_ref
    out = {**state, "next_seq": seq + 1, "taken": {**state.get("taken", {}), new.registration_id: entry}}
    if fits:
        out["seats_confirmed"] = state.get("seats_confirmed", 0) + new.party_size
    else:
        out["waitlist"] = [*state["waitlist"], waiting_entry(entry)]
    return out, status, entry


def waiting_entry(entry: dict) -> dict:
    """What the waiting list keeps of a registration: what its promotion's event tells."""
    keep = ("registration_id", "status", "party_size", "language", "channel", "registered_at", "version", "attended", "seq", "code")
    return {k: entry[k] for k in keep}


def _changed(state: SessionState, entry: dict, **change) -> dict:
    now = current(state, entry)
    mark = {"status": now["status"], "attended": now["attended"], "version": now["version"] + 1, **change}
    return {**state.get("changed", {}), entry["registration_id"]: mark}


def promote(state: SessionState) -> tuple[dict, list[dict]]:
    """Promote from the head of the waiting list while the head's party fits; the promoted, as they stand now."""
    waitlist = list(state.get("waitlist", []))
    taken = state.get("seats_confirmed", 0)
    promoted = []
    while waitlist and waitlist[0]["party_size"] <= state["capacity"] - taken:
        head = waitlist.pop(0)
        state = {**state, "changed": _changed(state, head, status="confirmed")}
        taken += head["party_size"]
        promoted.append(current(state, head))
    return {**state, "waitlist": waitlist, "seats_confirmed": taken}, promoted


def cancel(state: SessionState, entry: RegistrationEntry) -> tuple[dict, dict, list[dict]] | None:
    """Cancel one registration (its document); None if it was already cancelled.
    Returns the state, the cancelled registration and the promoted ones."""
    now = current(state, entry)
    if now["status"] == "cancelled":
        return None
    rid = entry["registration_id"]
    out = {
        **state,
        "changed": _changed(state, entry, status="cancelled"),
        "waitlist": [w for w in state["waitlist"] if w["registration_id"] != rid],
        "seats_confirmed": state.get("seats_confirmed", 0) - (now["party_size"] if now["status"] == "confirmed" else 0),
    }
    out, promoted = promote(out)
    return out, current(out, entry), promoted


def check_in(state: SessionState, entry: RegistrationEntry | None) -> tuple[dict, dict] | None:
    """Record attendance of the registration found by its code; None if already checked in."""
    if entry is None:
        raise Refused(404, "code", "not_found", "No registration with this code for this session")
    now = current(state, entry)
    if now["status"] != "confirmed":
        raise Refused(409, "code", now["status"], f"The registration is {now['status']}, not confirmed")
    if now["attended"]:
        return None
    out = {**state, "changed": _changed(state, entry, attended=True)}
    return out, current(out, entry)


def check_in_window(starts_at: datetime, ends_at: datetime, opens_before: timedelta) -> tuple[datetime, datetime]:
    """When the door takes check-ins, in Europe/Stockholm: from ``opens_before`` the start to
    24:00 on the day the session ends (a late arrival, a slow queue, a code typed in afterwards)."""
    last_day = ends_at.astimezone(TZ).date()
    closes_at = datetime.combine(last_day + timedelta(days=1), time(0), TZ)
    return (starts_at - opens_before).astimezone(TZ), closes_at


def check_in_open(state: SessionState, now: datetime, opens_before: timedelta) -> None:
    """Refuse (409) a check-in outside the session's window, naming the field and when it opens or closed."""
    if not (state.get("starts_at") and state.get("ends_at")):
        raise Refused(409, "starts_at", "not_scheduled", "The session has no time yet: nobody checks in to it")
    opens_at, closes_at = check_in_window(datetime.fromisoformat(state["starts_at"]), datetime.fromisoformat(state["ends_at"]), opens_before)
    minutes = int(opens_before.total_seconds() // 60)
    if now < opens_at:
        raise Refused(
            409, "starts_at", "check_in_not_open",
            f"Check-in opens at {opens_at:%Y-%m-%d %H:%M} Malmö time ({minutes} minutes before the start)",
            opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat(),
        )
    if now >= closes_at:
        raise Refused(
            409, "ends_at", "check_in_closed",
            f"Check-in closed at {closes_at:%Y-%m-%d %H:%M} Malmö time (the end of the session's last day)",
            opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat(),
        )
