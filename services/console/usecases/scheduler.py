"""What the scheduler's pages show of scheduling's answers (pure: answers in, rows out).

Times come from scheduling in UTC or with an offset; a scheduler reads them in Malmö time
(Europe/Stockholm), sessions grouped by that day and then by venue. At the door, scheduling's
answer (the registration, or its refusal's field and code) becomes one outcome the page says in
words; the console decides nothing: the check-in is scheduling's.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Stockholm")

# (field, code) of scheduling's check-in refusals → the outcome the door page names in words
REFUSALS = {
    ("code", "not_found"): "unknown",
    ("starts_at", "check_in_not_open"): "not_open",
    ("ends_at", "check_in_closed"): "closed",
    ("starts_at", "not_scheduled"): "not_scheduled",
    ("code", "waitlisted"): "waitlisted",
    ("code", "cancelled"): "cancelled",
}


def local(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso).astimezone(TZ) if iso else None


def clock(iso: str | None) -> str:
    """``2026-12-09T15:00:00Z`` → ``16:00`` (Malmö time); empty without a time."""
    at = local(iso)
    return f"{at:%H:%M}" if at else ""


def moment(iso: str | None) -> str:
    """``2026-12-09T15:00:00Z`` → ``2026-12-09 16:00`` (Malmö time)."""
    at = local(iso)
    return f"{at:%Y-%m-%d %H:%M}" if at else ""


def day_of(session: dict) -> date | None:
    at = local(session.get("starts_at"))
    return at.date() if at else None


def place_of(session: dict) -> str:
    """The venue's name; ``""`` for an online session or one with no place yet (the page says which)."""
    return (session.get("venue") or {}).get("name") or ""


def by_day_and_venue(sessions: list[dict]) -> list[dict]:
    """``[{day, venues: [{venue, sessions}]}]``: days in order (sessions without a time last, day
    None), venues by name within a day, sessions by start within a venue."""
    ordered = sorted(sessions, key=lambda s: (day_of(s) is None, day_of(s) or date.min, place_of(s), s.get("starts_at") or "", s["session_id"]))
    return [{"day": day, "venues": [{"venue": venue, "sessions": list(rows)} for venue, rows in groupby(of_day, key=place_of)]}
            for day, of_day in ((d, list(g)) for d, g in groupby(ordered, key=day_of))]


def registrations_and_waiting_list(registrations: list[dict]) -> tuple[list[dict], list[dict]]:
    """Every registration in registration order, and the waiting list in its order (its head first)."""
    waiting = [r for r in registrations if r.get("status") == "waitlisted"]
    return registrations, sorted(waiting, key=lambda r: (r.get("waitlist_position") or 0, r.get("sequence") or 0))


@dataclass(frozen=True)
class DoorOutcome:
    """What the door page says after a code: ``kind`` (checked_in, already, unknown, not_open,
    closed, not_scheduled, waitlisted, cancelled, refused), the code typed, the party size of a
    checked-in registration, and for a refusal the field it names, its words and when the door opens/closes."""

    kind: str
    code: str
    party_size: int | None = None
    field: str = "code"
    message: str = ""
    facts: dict = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.kind in ("checked_in", "already")


def checked_in(answer: dict) -> DoorOutcome:
    """Scheduling's answer to a code it took: checked in by this call, or already before
    (``checked_in_now`` false — by this door or another, a moment ago or earlier)."""
    return DoorOutcome("checked_in" if answer.get("checked_in_now") else "already", answer.get("code", ""), answer.get("party_size"))


def refused(code: str, reasons: list[dict]) -> DoorOutcome:
    """Scheduling's refusal of a code, its first reason named in words where the page has them."""
    first = reasons[0] if reasons else {}
    kind = REFUSALS.get((first.get("field"), first.get("code")), "refused")
    facts = {k: moment(first.get(k)) for k in ("opens_at", "closes_at") if first.get(k)}
    return DoorOutcome(kind, code, field=first.get("field") or "code", message=first.get("message", ""), facts=facts)
