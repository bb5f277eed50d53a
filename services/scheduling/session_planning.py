"""The schedulers' use cases on sessions: create, change, publish and cancel them, with their
conflicts; ``Planning`` (services/scheduling/planning.py) takes them in.

Every write reaches its document only through ``AggregateStore.change``. Scheduling writes of
one edition are also serialised by a keyed lock on the edition (``schedule:<edition_id>``), so
the conflict check and the write it guards see the same programme: two schedulers cannot
book one venue at once.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from services.scheduling import editions, seats, sessions
from services.scheduling.conflicts import Conflict, all_conflicts, blocking, conflicts_of
from services.scheduling.initiatives import InitiativeCopies
from services.scheduling.programme import Programme
from services.scheduling.seats import Refused
from services.scheduling.settings import SchedulingSettings
from shared.db.aggregates import AggregateStore
from shared.decisions import Decision

log = structlog.get_logger(__name__)


class ConflictsFound(Exception):
    """A write that breaks a blocking rule: nothing was written."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__(f"{len(conflicts)} conflicts")
        self.conflicts = conflicts


@dataclass(frozen=True)
class Saved:
    session: dict
    conflicts: list[Conflict]  # warnings only (blocking ones raise)


def organizer_key(initiative: dict) -> str:
    name = ((initiative.get("organizer") or {}).get("name") or "").strip().casefold()
    return f"{initiative['source']}|{name}"


class SessionPlanning:
    """The session use cases of ``Planning``, which holds what they use (set in its ``__init__``)."""

    settings: SchedulingSettings
    sessions: AggregateStore
    initiatives: InitiativeCopies
    programme: Programme
    source: str

    async def _context(self, edition_id: str) -> dict:
        edition = self.programme.editions.get(edition_id)
        if edition is None:
            raise Refused(422, "edition_id", "not_found", "No such edition")
        if edition["status"] == "closed":
            raise Refused(409, "edition_id", "closed", "The edition is closed")
        return edition

    def _venue_ref(self, venue_id: str | None) -> dict | None:
        if venue_id is None:
            return None
        venue = self.programme.venues.get(venue_id)
        if venue is None:
            raise Refused(422, "venue_id", "not_found", "No such venue")
        return {k: venue.get(k) for k in ("venue_id", "name", "address", "district", "accessibility")}

    async def create_session(self, cmd: dict[str, Any], now: datetime) -> Saved:
        await self._context(cmd["edition_id"])
        initiative = await self.initiatives.get(cmd["initiative_id"])
        if initiative is None:
            raise Refused(422, "initiative_id", "not_found", "Scheduling knows no such initiative")
        if not initiative.get("stamped") or initiative.get("status") in ("withdrawn", "rejected"):
            raise Refused(422, "initiative_id", "not_stamped", "Only initiatives stamped as part of Öppna Malmö are scheduled")
        venue = self._venue_ref(cmd.get("venue_id"))
        session_id = cmd.get("session_id") or uuid.uuid4().hex
        state = {
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
            "starts_at": _iso(cmd.get("starts_at")),
            "ends_at": _iso(cmd.get("ends_at")),
            "venue": venue,
            "online_url": cmd.get("online_url"),
            "capacity": cmd["capacity"],
            "registration_required": cmd.get("registration_required", True),
            "max_party_size": cmd.get("max_party_size") or self.settings.max_party_size,
            "duration_minutes": cmd.get("duration_minutes") or _minutes(cmd.get("starts_at"), cmd.get("ends_at")),
            "preferred_days": [d.isoformat() for d in cmd.get("preferred_days", [])],
            "status": cmd.get("status", "scheduled"),
            "published_once": False,
            "previous_starts_at": None,
            "cancellation_reason": None,
            **seats.empty_book(),
        }
        return await self._save(session_id, state, now, new=True)

    async def update_session(self, session_id: str, changes: dict[str, Any], now: datetime) -> Saved:
        current = await self.sessions.get(session_id)
        if current is None:
            raise Refused(404, "session_id", "not_found", "No such session")
        state = dict(current["state"])
        if "venue_id" in changes:
            state["venue"] = self._venue_ref(changes["venue_id"])
            if state["venue"]:
                state["districts"] = [state["venue"]["district"]]
        for key in ("starts_at", "ends_at"):
            if key in changes:
                state[key] = _iso(changes[key])
        if "starts_at" in changes and "ends_at" not in changes and state.get("duration_minutes"):
            state["ends_at"] = _iso(changes["starts_at"] + timedelta(minutes=state["duration_minutes"]))
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
            raise Refused(422, "ends_at", "before_start", "The session ends before it starts")
        return await self._save(session_id, state, now, new=False)

    async def _save(self, session_id: str, state: dict, now: datetime, new: bool) -> Saved:
        edition = await self._context(state["edition_id"])
        async with self.sessions.locks.hold(f"schedule:{state['edition_id']}"):
            found: list[Conflict] = []
            booking = sessions.booking_of(state)
            if booking is not None:
                found = conflicts_of(
                    booking,
                    self.programme.bookings(state["edition_id"]),
                    self.programme.conflict_venues(),
                    editions.window_of(edition),
                    editions.rules_of(edition),
                )
                if blocking(found):
                    raise ConflictsFound(found)

            def decide(current: dict | None, version: int) -> Decision | None:
                if new and current is not None:
                    raise Refused(409, "session_id", "exists", "The session exists")
                if not new and current is None:
                    raise Refused(404, "session_id", "not_found", "No such session")
                if current is not None:
                    # the seat book may have moved since it was read: keep the current one
                    kept = (*seats.SEAT_BOOK, "published_once")
                    merged = {**state, **{k: current[k] for k in kept if k in current}}
                else:
                    merged = state
                return sessions.decide_save(current, version, merged, now, self.source)

            doc = await self.sessions.change(session_id, decide)
            doc = doc or await self.sessions.get(session_id)
            self.programme.put_session(doc)
        return Saved(self.session_view(session_id), found)

    async def publish_session(self, session_id: str, now: datetime) -> dict:
        doc = await self.sessions.change(session_id, lambda s, v: sessions.decide_publish(s, v, now, self.source))
        self.programme.put_session(doc)
        return self.session_view(session_id)

    async def cancel_session(self, session_id: str, reason: str | None, now: datetime) -> dict:
        doc = await self.sessions.change(session_id, lambda s, v: sessions.decide_cancel(s, v, reason, now, self.source))
        self.programme.put_session(doc)
        return self.session_view(session_id)

    async def initiative_closed(self, initiative: dict) -> None:
        """A withdrawn or rejected initiative cancels its sessions (events tell the registrants)."""
        reason = f"initiative_{initiative['status']}"
        for session_id in self.programme.of_initiative(initiative["initiative_id"]):
            await self.cancel_session(session_id, reason, datetime.now(UTC))
            log.info("session_cancelled_with_initiative", session_id=session_id, initiative_id=initiative["initiative_id"])

    def session_view(self, session_id: str) -> dict:
        view = self.programme.sessions.get(session_id)
        if view is None:
            raise Refused(404, "session_id", "not_found", "No such session")
        return view

    def conflicts_in(self, edition_id: str) -> list[Conflict]:
        """Every conflict in an edition as it stands (after a venue or the edition changed)."""
        edition = self.edition_view(edition_id)
        return all_conflicts(
            self.programme.bookings(edition_id), self.programme.conflict_venues(), editions.window_of(edition), editions.rules_of(edition)
        )

    def conflicts_at_venue(self, venue_id: str) -> list[Conflict]:
        found = []
        for edition_id in self.programme.editions:
            found += [c for c in self.conflicts_in(edition_id) if (self.programme.sessions[c.session_id].get("venue") or {}).get("venue_id") == venue_id]
        return found


def _iso(t: datetime | str | None) -> str | None:
    if t is None or isinstance(t, str):
        return t
    return t.astimezone(UTC).isoformat()  # stored in UTC, presented in Europe/Stockholm


def _minutes(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds() // 60)
