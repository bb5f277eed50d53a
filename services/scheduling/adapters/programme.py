"""The programme read model, held in memory: the hot public reads never touch the database.

FerretDB sorts and counts in its own process, slowly
(docs/decisions/0006-no-sorting-or-counting-in-the-database.md), so the published programme, its
filters, the ICS feeds and the page are served from here. It is loaded from the sessions, editions
and venues collections at start-up and refreshed by every change this process makes (the write path
hands each written document over, newest version wins), and on every replica by what other
replicas change (``usecases/replicas.py``: scheduling's own events, read by every replica). What
changes without an event is read from the database when asked: a session this replica does not know
(``session``), the venues (``fresh_venues``).

Beside the sessions it holds what residents read about each initiative (summary, description,
target groups: ``about``), kept from scheduling's copy of the initiatives, so a change of the
initiative's texts shows at once on every session of it.

It also serves the conflict check with every booked session of an edition.
"""

from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime
from zoneinfo import ZoneInfo

from services.scheduling.domain import seats
from services.scheduling.domain.conflicts import Booking, Venue
from services.scheduling.domain.organisers import checked_in
from services.scheduling.domain.sessions import booking_of, public
from services.scheduling.domain.states import SessionState, VenueState
from shared.db.aggregates import AggregateStore

TZ = ZoneInfo("Europe/Stockholm")
PRIVATE_KEPT = ("published_once", "max_party_size", "organizer_key", "duration_minutes", "preferred_days")


@dataclass(frozen=True)
class Filters:
    edition_id: str | None = None
    date: Date | None = None
    theme: str | None = None
    district: str | None = None
    language: str | None = None
    accessibility: str | None = None
    free_seats: bool | None = None
    include_cancelled: bool = True
    target_group: str | None = None  # the initiative's (``Programme.about``), not the session's


def view_of(state: SessionState, version: int) -> dict:
    view = {**public(state), "version": version, **{k: state.get(k) for k in PRIVATE_KEPT}}
    view["free_seats"] = seats.free_seats(state) if state.get("registration_required") else None
    view["_booking"] = booking_of(state)
    view["_checked_in"] = checked_in(state)  # the organiser's count (``domain.organisers``)
    return view


def local_date(iso: str) -> Date:
    return datetime.fromisoformat(iso).astimezone(TZ).date()


def is_public(view: dict) -> bool:
    return bool(view.get("published_once")) and bool(view.get("starts_at"))


def matches(view: dict, f: Filters) -> bool:
    if not is_public(view):
        return False
    if f.edition_id and view["edition_id"] != f.edition_id:
        return False
    if not f.include_cancelled and view["status"] == "cancelled":
        return False
    if f.date and local_date(view["starts_at"]) != f.date:
        return False
    if f.theme and f.theme not in view["themes"]:
        return False
    if f.district and f.district not in view.get("districts", []):
        return False
    if f.language and f.language not in view["languages"]:
        return False
    if f.accessibility:
        offered = set(view.get("accessibility", [])) | set((view.get("venue") or {}).get("accessibility", []))
        if f.accessibility not in offered:
            return False
    if f.free_seats:
        if view["status"] == "cancelled":
            return False
        if view["registration_required"] and not view["free_seats"]:
            return False
    return True


def without_internals(view: dict) -> dict:
    return {k: v for k, v in view.items() if not k.startswith("_") and k not in ("organizer_key",)}


class Programme:
    """``sessions``, ``venues``: their stores, read where memory may be behind another replica's write."""

    def __init__(self, sessions: AggregateStore | None = None, venues: AggregateStore | None = None) -> None:
        self._stores = (sessions, venues)
        self.sessions: dict[str, dict] = {}
        self.editions: dict[str, dict] = {}
        self.venues: dict[str, dict] = {}
        self.about: dict[str, dict] = {}  # initiative id -> {summary, description, target_groups}
        self.version = 0  # moves with every change taken in: what rendered copies are keyed by (rendered.py)

    def put_session(self, doc: dict | None) -> None:
        if doc is None:
            return
        old = self.sessions.get(doc["_id"])
        if old is None or old["version"] < doc["state_version"]:
            self.sessions[doc["_id"]] = view_of(doc["state"], doc["state_version"])
            self.version += 1

    async def session(self, session_id: str) -> dict | None:
        """The session's view; read from the database when this replica does not know it (a draft
        without a time, written by another replica, has no event)."""
        if session_id not in self.sessions and self._stores[0] is not None:
            self.put_session(await self._stores[0].get(session_id))
        return self.sessions.get(session_id)

    async def fresh_sessions(self) -> None:
        """Every session read again: before what acts on all of an edition's sessions at once
        (publishing its programme, a proposal) or must see another replica's last placement (a
        conflict check under the edition's lease)."""
        if self._stores[0] is not None:
            async for doc in self._stores[0].find({}, {"outbox": 0}):
                self.put_session(doc)

    async def fresh_venues(self) -> dict[str, dict]:
        """Every venue, read again (a few dozen small documents; they change without an event)."""
        if self._stores[1] is not None:
            async for doc in self._stores[1].find({}, {"outbox": 0}):
                self.put_venue(doc)
        return self.venues

    def put_edition(self, doc: dict | None) -> None:
        self._put_newer(self.editions, doc)

    def put_venue(self, doc: dict | None) -> None:
        self._put_newer(self.venues, doc)

    def _put_newer(self, kept: dict[str, dict], doc: dict | None) -> None:
        """Keeps ``doc``'s state (with its version) unless ``kept`` already has this version or a newer one."""
        if doc is not None:
            old = kept.get(doc["_id"])
            if old is None or old["version"] < doc["state_version"]:
                kept[doc["_id"]] = {**doc["state"], "version": doc["state_version"]}
                self.version += 1

    def put_about(self, initiative_id: str, about: dict) -> None:
        if self.about.get(initiative_id) != about:
            self.about[initiative_id] = about
            self.version += 1

    def about_of(self, view: dict) -> dict:
        """The session's initiative as residents read about it (empty texts when not known)."""
        return self.about.get(view["initiative_id"]) or {"summary": None, "description": None, "target_groups": []}

    def touch(self) -> None:
        """Something every rendered copy shows changed (a vocabulary's labels): render again."""
        self.version += 1

    def published(self, f: Filters) -> list[dict]:
        found = [v for v in self.sessions.values()
                 if matches(v, f) and (not f.target_group or f.target_group in self.about_of(v).get("target_groups", []))]
        return sorted(found, key=lambda v: (v["starts_at"], v["session_id"]))

    def bookings(self, edition_id: str) -> list[Booking]:
        return [v["_booking"] for v in self.sessions.values() if v["edition_id"] == edition_id and v["_booking"] is not None]

    def of_initiative(self, initiative_id: str) -> list[str]:
        return [v["session_id"] for v in self.sessions.values() if v["initiative_id"] == initiative_id and v["status"] != "cancelled"]

    def of_edition(self, edition_id: str) -> list[dict]:
        return [v for v in self.sessions.values() if v["edition_id"] == edition_id]

    def conflict_venues(self) -> dict[str, Venue]:
        return {vid: venue_of(v) for vid, v in self.venues.items()}


def venue_of(state: VenueState) -> Venue:
    return Venue(
        venue_id=state["venue_id"],
        capacity=state["capacity"],
        accessibility=frozenset(state.get("accessibility", [])),
        availability=tuple((datetime.fromisoformat(w["starts_at"]), datetime.fromisoformat(w["ends_at"])) for w in state.get("availability", [])),
        district=state.get("district", ""),
        languages=frozenset(state.get("languages", [])),
    )
