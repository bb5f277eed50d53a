"""A session's schedule as the schedulers give it (pure): its first state, a change of it, and the
decision that stores it (``sessions.decide_save``) keeping the seat book as it stands."""

from datetime import UTC, datetime, timedelta
from typing import Any

from services.scheduling.domain import seats, sessions
from services.scheduling.domain.initiatives import organizer_key
from shared.refusals import Refused
from services.scheduling.domain.states import InitiativeCopy, SessionState, VenueRef
from shared.decisions import Decision, NoChange

# what a schedule change keeps as stored: the seat book may have moved since the state was read
KEPT = (*seats.SEAT_BOOK, "published_once")


def first_state(session_id: str, cmd: dict[str, Any], initiative: InitiativeCopy, venue: VenueRef | None, max_party_size: int) -> SessionState:
    """A new session of a stamped initiative, from the scheduler's command."""
    return {
        "session_id": session_id,
        "edition_id": cmd["edition_id"],
        "initiative_id": initiative["initiative_id"],
        "source": initiative["source"],
        "title": initiative.get("title") or {"sv": initiative["initiative_id"]},
        "organizer": initiative.get("organizer") or {},
        "organizer_key": organizer_key(initiative),
        "themes": initiative.get("themes", []),
        "districts": [venue["district"]] if venue else initiative.get("districts", []),
        "languages": cmd.get("languages") or initiative.get("languages") or ["sv"],
        "accessibility": initiative.get("accessibility", []),
        "starts_at": iso(cmd.get("starts_at")),
        "ends_at": iso(cmd.get("ends_at")),
        "venue": venue,
        "online_url": cmd.get("online_url"),
        "capacity": cmd["capacity"],
        "registration_required": cmd.get("registration_required", True),
        "max_party_size": cmd.get("max_party_size") or max_party_size,
        "duration_minutes": cmd.get("duration_minutes") or minutes(cmd.get("starts_at"), cmd.get("ends_at")),
        "preferred_days": [d.isoformat() for d in cmd.get("preferred_days", [])],
        "status": cmd.get("status", "scheduled"),
        "published_once": False,
        "previous_starts_at": None,
        "cancellation_reason": None,
        **seats.empty_book(),
    }


def changed(current: SessionState, changes: dict[str, Any], venue: VenueRef | None) -> SessionState | Refused:
    """``current`` with the scheduler's ``changes`` (``venue``: the venue ``changes["venue_id"]`` names)."""
    state = dict(current)
    if "venue_id" in changes:
        state["venue"] = venue
        if venue:
            state["districts"] = [venue["district"]]
    for key in ("starts_at", "ends_at"):
        if key in changes:
            state[key] = iso(changes[key])
    if "starts_at" in changes and "ends_at" not in changes and state.get("duration_minutes"):
        state["ends_at"] = iso(changes["starts_at"] + timedelta(minutes=state["duration_minutes"]))
    for key in ("online_url", "capacity", "registration_required", "max_party_size", "languages", "duration_minutes"):
        if key in changes:
            state[key] = changes[key]
    if "preferred_days" in changes:
        state["preferred_days"] = [d.isoformat() for d in changes["preferred_days"]]
    if "status" in changes:
        state["status"] = changes["status"]
    elif state["status"] == "draft" and sessions.is_placed(state):
        state["status"] = "scheduled"  # a draft given time and place is scheduled
    if state.get("starts_at") and state.get("ends_at") and state["ends_at"] <= state["starts_at"]:
        return Refused(422, "ends_at", "before_start", "The session ends before it starts")
    return state


def decide_schedule(current: SessionState | None, version: int, state: SessionState, new: bool, now: datetime, source: str) -> Decision | NoChange:
    """Store ``state`` as the session's schedule: a ``new`` one must not exist (409), a change must (404)."""
    if new and current is not None:
        return NoChange(Refused(409, "session_id", "exists", "The session exists"))
    if not new and current is None:
        return NoChange(sessions.NO_SUCH_SESSION)
    merged = {**state, **{k: current[k] for k in KEPT if k in current}} if current is not None else state
    return sessions.decide_save(current, version, merged, now, source)


def iso(t: datetime | str | None) -> str | None:
    if t is None or isinstance(t, str):
        return t
    return t.astimezone(UTC).isoformat()  # stored in UTC, presented in Europe/Stockholm


def minutes(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds() // 60)
