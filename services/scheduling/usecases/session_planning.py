"""The schedulers' use cases on sessions: create, change, publish and cancel them, with their
conflicts; ``Planning`` (services/scheduling/usecases/planning.py) takes them in.

Every write reaches its document only through the aggregate store. Scheduling writes of one
edition are also serialised by the use cases' own keyed lock on the edition (``schedule_locks``), so
the conflict check and the write it guards see the same programme: two schedulers cannot
book one venue at once.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from services.scheduling.adapters.initiatives import InitiativeCopies
from services.scheduling.adapters.programme import Programme
from services.scheduling.domain import editions, schedule, sessions
from services.scheduling.domain.conflicts import Conflict, all_conflicts, blocking, conflicts_of
from services.scheduling.domain.states import EditionState, SessionState, VenueRef
from services.scheduling.settings import SchedulingSettings
from shared.refusals import Refused, accepted
from shared.db.aggregates import AggregateStore, change_one
from shared.db.keyed_lock import KeyedLocks

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


class SessionPlanning:
    """The session use cases of ``Planning``, which holds what they use (set in its ``__init__``)."""

    settings: SchedulingSettings
    sessions: AggregateStore
    initiatives: InitiativeCopies
    programme: Programme
    schedule_locks: KeyedLocks  # by edition id: a conflict check and the write it guards see one programme
    source: str

    def _context(self, edition_id: str) -> EditionState:
        edition = self.programme.editions.get(edition_id)
        if edition is None:
            raise Refused(409, "edition_id", "not_found", "No such edition")
        if edition["status"] == "closed":
            raise Refused(409, "edition_id", "closed", "The edition is closed")
        return edition

    def _venue_ref(self, venue_id: str | None) -> VenueRef | None:
        if venue_id is None:
            return None
        venue = self.programme.venues.get(venue_id)
        if venue is None:
            raise Refused(409, "venue_id", "not_found", "No such venue")
        return {k: venue.get(k) for k in ("venue_id", "name", "address", "district", "accessibility")}

    async def create_session(self, cmd: dict[str, Any], now: datetime) -> Saved:
        self._context(cmd["edition_id"])
        await self.programme.fresh_venues()  # venues change without an event: another replica's too
        initiative = await self.initiatives.get(cmd["initiative_id"])
        if initiative is None:
            raise Refused(409, "initiative_id", "not_found", "Scheduling knows no such initiative")
        if not initiative.get("stamped") or initiative.get("status") in ("withdrawn", "rejected"):
            raise Refused(409, "initiative_id", "not_stamped", "Only initiatives stamped as part of Öppna Malmö are scheduled")
        venue = self._venue_ref(cmd.get("venue_id"))
        session_id = cmd.get("session_id") or uuid.uuid4().hex
        state = schedule.first_state(session_id, cmd, initiative, venue, self.settings.max_party_size)
        return await self._save(session_id, state, now, new=True)

    async def update_session(self, session_id: str, changes: dict[str, Any], now: datetime) -> Saved:
        current = await self.sessions.get(session_id)
        if current is None:
            raise Refused(404, "session_id", "not_found", "No such session")
        await self.programme.fresh_venues()  # venues change without an event: another replica's too
        venue = self._venue_ref(changes["venue_id"]) if "venue_id" in changes else None
        state = schedule.changed(current["state"], changes, venue)
        if isinstance(state, Refused):
            raise state
        return await self._save(session_id, state, now, new=False)

    def _conflicts(self, state: SessionState, edition: EditionState) -> list[Conflict]:
        """The conflicts of the session as ``state`` would place it; raised when one blocks."""
        booking = sessions.booking_of(state)
        if booking is None:
            return []
        found = conflicts_of(
            booking,
            self.programme.bookings(state["edition_id"]),
            self.programme.conflict_venues(),
            editions.window_of(edition),
            editions.rules_of(edition),
        )
        if blocking(found):
            raise ConflictsFound(found)
        return found

    async def _save(self, session_id: str, state: SessionState, now: datetime, new: bool) -> Saved:
        edition = self._context(state["edition_id"])
        async with self.schedule_locks.hold(state["edition_id"]):
            if self.settings.replica_count > 1:  # what another replica placed under this lease a moment ago
                await self.programme.fresh_sessions()
            found = self._conflicts(state, edition)
            decide = lambda current, version: schedule.decide_schedule(current, version, state, new, now, self.source)  # noqa: E731
            changed = accepted(await change_one(self.sessions, session_id, decide, new=new))
            self.programme.put_session(changed.document or await self.sessions.get(session_id))
        return Saved(self.session_view(session_id), found)

    async def publish_session(self, session_id: str, now: datetime) -> dict:
        changed = accepted(await change_one(self.sessions, session_id, lambda s, v: sessions.decide_publish(s, v, now, self.source)))
        self.programme.put_session(changed.document)
        return self.session_view(session_id)

    async def cancel_session(self, session_id: str, reason: str | None, now: datetime) -> dict:
        changed = accepted(await change_one(self.sessions, session_id, lambda s, v: sessions.decide_cancel(s, v, reason, now, self.source)))
        self.programme.put_session(changed.document)
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
