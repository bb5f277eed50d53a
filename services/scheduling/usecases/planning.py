"""Use cases of the schedulers: editions, venues, sessions, placement, and initiatives that close.

Editions, venues and placement are here; sessions, and initiatives that close, are
``SessionPlanning``'s (services/scheduling/usecases/session_planning.py), which ``Planning`` takes in. Every
write reaches its document only through the aggregate store.
"""

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from services.scheduling.adapters.initiatives import InitiativeCopies
from services.scheduling.adapters.programme import Programme
from services.scheduling.domain import editions
from services.scheduling.domain.placement import Placement, Proposal, Request, propose
from services.scheduling.domain.states import EditionState, VenueState
from services.scheduling.settings import SchedulingSettings
from shared.refusals import Refused, accepted
from services.scheduling.usecases.session_planning import ConflictsFound, SessionPlanning
from shared.db.aggregates import AggregateStore, change_one
from shared.db.keyed_lock import KeyedLocks
from shared.decisions import Decision, NoChange


@dataclass(eq=False)
class Planning(SessionPlanning):
    settings: SchedulingSettings
    editions: AggregateStore
    venues: AggregateStore
    sessions: AggregateStore
    initiatives: InitiativeCopies
    programme: Programme
    schedule_locks: KeyedLocks
    source: str = field(init=False)

    def __post_init__(self) -> None:
        self.source = self.settings.event_source

    async def load(self) -> None:
        """Fill the programme read model from the database (once, at start-up)."""
        for store, put in ((self.editions, self.programme.put_edition), (self.venues, self.programme.put_venue), (self.sessions, self.programme.put_session)):
            async for doc in store.find({}, {"outbox": 0}):
                put(doc)

    # -- editions ---------------------------------------------------------------------------
    async def plan_edition(self, fields: dict[str, Any], now: datetime) -> tuple[dict, bool]:
        """The edition, and whether this request planned it (False: the very same plan again)."""
        edition_id = fields.get("edition_id") or uuid.uuid4().hex
        fields = {**fields, "edition_id": edition_id}
        changed = accepted(await change_one(self.editions, edition_id, lambda s, v: editions.decide_plan(s, v, fields, now, self.source)))
        self.programme.put_edition(changed.document or await self.editions.get(edition_id))
        return self.edition_view(edition_id), changed.written

    async def update_edition(self, edition_id: str, changes: dict[str, Any], now: datetime) -> dict:
        changed = accepted(await change_one(self.editions, edition_id, lambda s, v: editions.decide_update(s, v, changes, now, self.source)))
        self.programme.put_edition(changed.document)
        return self.edition_view(edition_id)

    async def advance_edition(self, edition_id: str, to: str, now: datetime) -> dict:
        """Publishing the programme publishes every scheduled session of the edition too."""
        changed = accepted(await change_one(self.editions, edition_id, lambda s, v: editions.decide_advance(s, v, to, now, self.source)))
        self.programme.put_edition(changed.document)
        if to == "programme_published":
            await self.programme.fresh_sessions()  # every session of the edition, whichever replica wrote it
            for view in self.programme.of_edition(edition_id):
                if view["status"] == "scheduled":
                    await self.publish_session(view["session_id"], now)
        return self.edition_view(edition_id)

    def edition_view(self, edition_id: str) -> EditionState:
        edition = self.programme.editions.get(edition_id)
        if edition is None:
            raise Refused(404, "edition_id", "not_found", "No such edition")
        return edition

    # -- venues -----------------------------------------------------------------------------
    async def save_venue(self, venue_id: str | None, fields: dict[str, Any]) -> dict:
        venue_id = venue_id or uuid.uuid4().hex
        state: VenueState = {**fields, "venue_id": venue_id}

        def decide(current: VenueState | None, version: int) -> Decision | NoChange:
            return NoChange() if current == state else Decision(state)

        changed = await change_one(self.venues, venue_id, decide)
        self.programme.put_venue(changed.document or await self.venues.get(venue_id))
        return self.programme.venues[venue_id]

    # -- placement --------------------------------------------------------------------------
    async def propose(self, edition_id: str) -> tuple[Proposal, list[dict]]:
        edition = self.edition_view(edition_id)
        await self.programme.fresh_venues()
        await self.programme.fresh_sessions()  # drafts without a time have no event
        waiting = [
            v
            for v in self.programme.of_edition(edition_id)
            if v["status"] == "draft" and not v.get("starts_at") and not v.get("online_url") and v.get("duration_minutes")
        ]
        requests = [
            Request(
                session_id=v["session_id"],
                duration=timedelta(minutes=v["duration_minutes"]),
                organizer=v["organizer_key"],
                capacity=v["capacity"],
                accessibility=frozenset(v.get("accessibility", [])),
                languages=frozenset(v.get("languages", [])),
                themes=frozenset(v.get("themes", [])),
                preferred_days=frozenset(date.fromisoformat(d) for d in v.get("preferred_days") or []),
            )
            for v in waiting
        ]
        proposal = await asyncio.to_thread(
            propose,
            requests,
            self.programme.conflict_venues(),
            self.programme.bookings(edition_id),
            editions.window_of(edition),
            timedelta(minutes=self.settings.placement_step_minutes),
            self.settings.placement_time_limit_s,
            rules=editions.rules_of(edition),
        )
        return proposal, waiting

    async def accept(self, placements: list[Placement], now: datetime) -> list[dict]:
        """Apply a (possibly edited) proposal, each placement checked like any other write."""
        results = []
        for p in placements:
            try:
                saved = await self.update_session(p.session_id, {"venue_id": p.venue_id, "starts_at": p.starts_at, "ends_at": p.ends_at}, now)
                results.append({"session_id": p.session_id, "accepted": True, "conflicts": [c.as_dict() for c in saved.conflicts]})
            except ConflictsFound as e:
                results.append({"session_id": p.session_id, "accepted": False, "conflicts": [c.as_dict() for c in e.conflicts]})
            except Refused as e:
                results.append({"session_id": p.session_id, "accepted": False, "conflicts": [], "errors": e.detail()})
        return results
