"""Seats: confirm, waitlist, cancel, promote, check in — pure decisions on one session's seat book.

The seat book lives in the session's own document (``registrations`` by id and the ordered
``waitlist``), so every registration for a session is one write to one document behind the
session's keyed lock: 200 concurrent registrations cannot overbook.

Rules
- A registration is confirmed when the waiting list is empty and its whole party fits in
  the free seats; otherwise it joins the end of the waiting list (nobody overtakes).
- A freed seat (a cancellation, a larger capacity) promotes from the head of the waiting
  list, in order, as long as the head's whole party fits; the head is never skipped.
"""

from dataclasses import dataclass
from datetime import datetime


class Refused(Exception):
    """A decision's refusal, naming the field and the reason (answered as a 4xx)."""

    def __init__(self, status: int, field: str, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.field = field
        self.code = code
        self.message = message

    def detail(self) -> list[dict]:
        return [{"field": self.field, "code": self.code, "message": self.message}]


@dataclass(frozen=True)
class NewRegistration:
    registration_id: str
    party_size: int
    language: str
    channel: str
    token_sha256: str  # kept in the registration's own record, not in the seat book
    code_candidates: tuple[str, ...]  # random short codes; the first not used in this session is taken
    idempotency_ref: str | None = None  # SHA-256 of (session, Idempotency-Key): the key's entry in the seat book


REPEAT = "repeat"  # the outcome of a request whose Idempotency-Key is already in the seat book


OPEN_FOR_REGISTRATION = ("published", "rescheduled")
# The session state's fields that are the seat book: a schedule change keeps them as they are
SEAT_BOOK = ("registrations", "waitlist", "next_seq", "idempotency_keys")


def seats_taken(registrations: dict[str, dict]) -> int:
    return sum(r["party_size"] for r in registrations.values() if r["status"] == "confirmed")


def free_seats(state: dict) -> int:
    return max(0, state["capacity"] - seats_taken(state["registrations"]))


def register(state: dict, new: NewRegistration, now: datetime) -> tuple[dict, str]:
    """The session's new state and the registration's status ("confirmed" or "waitlisted"),
    or the state unchanged and ``REPEAT`` when its Idempotency-Key was taken by this very
    registration before (checked first: a repeat answers even once the session is full or started)."""
    keys = state.get("idempotency_keys", {})
    if new.idempotency_ref is not None and new.idempotency_ref in keys:
        if keys[new.idempotency_ref] == new.registration_id:
            return state, REPEAT
        raise Refused(422, "Idempotency-Key", "key_reused", "This Idempotency-Key was used for a different registration (other details)")
    if state["status"] not in OPEN_FOR_REGISTRATION:
        raise Refused(409, "session_id", "not_open", "The session does not take registrations")
    if not state["registration_required"]:
        raise Refused(409, "session_id", "registration_not_required", "The session needs no registration")
    if datetime.fromisoformat(state["starts_at"]) <= now:
        raise Refused(409, "session_id", "started", "The session has already started")
    if new.party_size > state["max_party_size"]:
        raise Refused(422, "party_size", "too_large", f"A party is at most {state['max_party_size']}")
    if new.registration_id in state["registrations"]:
        raise Refused(409, "registration_id", "exists", "The registration exists")
    used = {r["code"] for r in state["registrations"].values()}
    code = next((c for c in new.code_candidates if c not in used), None)
    if code is None:
        raise Refused(503, "code", "exhausted", "No registration code was free; try again")
    fits = not state["waitlist"] and new.party_size <= free_seats(state)
    status = "confirmed" if fits else "waitlisted"
    entry = {
        "status": status,
        "party_size": new.party_size,
        "language": new.language,
        "channel": new.channel,
        "registered_at": now.isoformat(),
        "code": code,
        "attended": False,
        "version": 1,
        "seq": state.get("next_seq", 1),
    }
    registrations = {**state["registrations"], new.registration_id: entry}
    waitlist = state["waitlist"] + ([new.registration_id] if status == "waitlisted" else [])
    out = {**state, "registrations": registrations, "waitlist": waitlist, "next_seq": entry["seq"] + 1}
    if new.idempotency_ref is not None:
        out["idempotency_keys"] = {**keys, new.idempotency_ref: new.registration_id}
    return out, status


def promote(state: dict) -> tuple[dict, list[str]]:
    """Promote from the head of the waiting list while the head's party fits."""
    registrations = dict(state["registrations"])
    waitlist = list(state["waitlist"])
    free = state["capacity"] - seats_taken(registrations)
    promoted = []
    while waitlist and registrations[waitlist[0]]["party_size"] <= free:
        rid = waitlist.pop(0)
        entry = registrations[rid]
        registrations[rid] = {**entry, "status": "confirmed", "version": entry["version"] + 1}
        free -= entry["party_size"]
        promoted.append(rid)
    return {**state, "registrations": registrations, "waitlist": waitlist}, promoted


def cancel(state: dict, registration_id: str) -> tuple[dict, list[str]] | None:
    """Cancel one registration; None if it was already cancelled. Returns the promoted ids too."""
    entry = state["registrations"].get(registration_id)
    if entry is None:
        raise Refused(404, "registration", "not_found", "No such registration")
    if entry["status"] == "cancelled":
        return None
    registrations = {**state["registrations"], registration_id: {**entry, "status": "cancelled", "version": entry["version"] + 1}}
    waitlist = [r for r in state["waitlist"] if r != registration_id]
    return promote({**state, "registrations": registrations, "waitlist": waitlist})


def check_in(state: dict, code: str) -> tuple[dict, str] | None:
    """Record attendance by the registration code; None if already checked in."""
    code = code.strip().upper()
    found = [(rid, r) for rid, r in state["registrations"].items() if r["code"] == code]
    if not found:
        raise Refused(404, "code", "not_found", "No registration with this code for this session")
    rid, entry = found[0]
    if entry["status"] != "confirmed":
        raise Refused(409, "code", entry["status"], f"The registration is {entry['status']}, not confirmed")
    if entry["attended"]:
        return None
    registrations = {**state["registrations"], rid: {**entry, "attended": True, "version": entry["version"] + 1}}
    return {**state, "registrations": registrations}, rid


def waitlist_position(state: dict, registration_id: str) -> int | None:
    try:
        return state["waitlist"].index(registration_id) + 1
    except ValueError:
        return None
