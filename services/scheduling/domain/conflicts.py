"""The conflict check: pure, synchronous, exhaustive. Every scheduling write and every placement goes through it.

A ``Booking`` is a session as the check sees it (times, venue, organiser, capacity, the
accessibility the initiative promises). ``conflicts_of`` lists every conflict of one booking
against the others, the edition and the venues, each with its rule, a reason in words, and
whether the edition's curators made that rule block or warn. ``all_conflicts`` checks a whole
set (used to verify a placement proposal).

Intervals are half-open ``[starts_at, ends_at)``. Two sessions at one venue conflict when
they come closer than the changeover buffer: ``a.start < b.end + buffer and b.start < a.end + buffer``.
One organiser is "in two places at once" when their sessions overlap at all.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from services.scheduling.domain.accessibility import venue_needs


class Rule(StrEnum):
    venue_double_booked = "venue_double_booked"
    outside_edition = "outside_edition"
    outside_venue_availability = "outside_venue_availability"
    organizer_double_booked = "organizer_double_booked"
    capacity_exceeds_venue = "capacity_exceeds_venue"
    accessibility_missing = "accessibility_missing"


class Mode(StrEnum):
    block = "block"
    warn = "warn"


DEFAULT_RULES: dict[Rule, Mode] = {
    Rule.venue_double_booked: Mode.block,
    Rule.outside_edition: Mode.block,
    Rule.outside_venue_availability: Mode.block,
    Rule.organizer_double_booked: Mode.block,
    Rule.capacity_exceeds_venue: Mode.block,
    Rule.accessibility_missing: Mode.warn,
}


@dataclass(frozen=True)
class Venue:
    venue_id: str
    capacity: int
    accessibility: frozenset[str] = frozenset()
    availability: tuple[tuple[datetime, datetime], ...] = ()
    district: str = ""
    languages: frozenset[str] = frozenset()  # languages the venue can host; empty = any


@dataclass(frozen=True)
class Booking:
    session_id: str
    starts_at: datetime
    ends_at: datetime
    organizer: str
    capacity: int
    venue_id: str | None = None  # None: online
    accessibility: frozenset[str] = frozenset()  # what the initiative promises (the venue must have its venue_needs)


@dataclass(frozen=True)
class Window:
    """The edition's period as aware datetimes, and the changeover buffer between sessions at a venue."""

    starts_at: datetime
    ends_at: datetime
    changeover: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Conflict:
    rule: Rule
    mode: Mode
    session_id: str
    message: str
    other_session_id: str | None = None

    def as_dict(self) -> dict:
        return {
            "rule": self.rule.value,
            "mode": self.mode.value,
            "session_id": self.session_id,
            "other_session_id": self.other_session_id,
            "message": self.message,
        }


@dataclass(frozen=True)
class Rules:
    modes: Mapping[Rule, Mode] = field(default_factory=lambda: dict(DEFAULT_RULES))

    def mode(self, rule: Rule) -> Mode:
        return Mode(self.modes.get(rule, DEFAULT_RULES[rule]))


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime, buffer: timedelta = timedelta(0)) -> bool:
    return a_start < b_end + buffer and b_start < a_end + buffer


def inside(start: datetime, end: datetime, windows: Iterable[tuple[datetime, datetime]]) -> bool:
    return any(w_start <= start and end <= w_end for w_start, w_end in windows)


def conflicts_of(
    booking: Booking,
    others: Iterable[Booking],
    venues: Mapping[str, Venue],
    window: Window,
    rules: Rules = Rules(),
) -> list[Conflict]:
    """Every conflict of ``booking`` (others with the same session id are ignored)."""
    out: list[Conflict] = []

    def add(rule: Rule, message: str, other: str | None = None) -> None:
        out.append(Conflict(rule, rules.mode(rule), booking.session_id, message, other))

    if not inside(booking.starts_at, booking.ends_at, [(window.starts_at, window.ends_at)]):
        add(Rule.outside_edition, "The session is not inside the edition's period")
    venue = venues.get(booking.venue_id) if booking.venue_id else None
    if venue is not None:
        if not inside(booking.starts_at, booking.ends_at, venue.availability):
            add(Rule.outside_venue_availability, "The venue is not available for the whole session")
        if booking.capacity > venue.capacity:
            add(Rule.capacity_exceeds_venue, f"Capacity {booking.capacity} exceeds the venue's {venue.capacity}")
        missing = sorted(venue_needs(booking.accessibility) - venue.accessibility)  # what the organiser brings is never missing
        if missing:
            add(Rule.accessibility_missing, f"The venue lacks accessibility the initiative promises: {', '.join(missing)}")
    for other in others:
        if other.session_id == booking.session_id:
            continue
        if (
            booking.venue_id is not None
            and other.venue_id == booking.venue_id
            and overlaps(booking.starts_at, booking.ends_at, other.starts_at, other.ends_at, window.changeover)
        ):
            minutes = int(window.changeover.total_seconds() // 60)
            add(Rule.venue_double_booked, f"The venue is booked by another session (changeover {minutes} min)", other.session_id)
        if other.organizer == booking.organizer and overlaps(booking.starts_at, booking.ends_at, other.starts_at, other.ends_at):
            add(Rule.organizer_double_booked, "The same organiser has another session at that time", other.session_id)
    return out


def all_conflicts(bookings: list[Booking], venues: Mapping[str, Venue], window: Window, rules: Rules = Rules()) -> list[Conflict]:
    """Every conflict within a set of bookings (each pair reported from both sides)."""
    return [c for b in bookings for c in conflicts_of(b, bookings, venues, window, rules)]


def blocking(conflicts: Iterable[Conflict]) -> list[Conflict]:
    return [c for c in conflicts if c.mode == Mode.block]
