"""Which submissions are late: measured against the registry's copy of the editions' windows
(``adapters.editions`` keeps it; editions are scheduling's).

The rule (``lateness``): a new initiative belongs to the edition whose forum period its
proposed period overlaps (the earliest such, if several); without a period, or overlapping none,
to the next forum period not yet over on the day it is received. It is late when that day, in
Malmö (Europe/Stockholm), is after the edition's ``submission_closes_on``; an edition without a
closing day takes everything. A late submission is accepted like any other and marked
``late: {edition_id, submission_closes_on, received_on}`` (the first revision decides; later
revisions keep the mark), for curators to see and filter on (``GET /v1/review/queue?late=true``).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.registry.domain.states import EditionState, LateMark

MALMO = ZoneInfo("Europe/Stockholm")


def _day(value) -> date | None:
    return None if value is None else value if isinstance(value, date) else date.fromisoformat(value)


def edition_of(editions: list[EditionState], period: dict | None, today: date) -> EditionState | None:
    """The edition a submission with this proposed period belongs to (see the module's rule)."""
    by_start = sorted(editions, key=lambda e: (_day(e["starts_on"]), e["edition_id"]))
    if period and period.get("start") and period.get("end"):
        start, end = _day(period["start"]), _day(period["end"])
        for e in by_start:
            if _day(e["starts_on"]) <= end and _day(e["ends_on"]) >= start:
                return e
    return next((e for e in by_start if _day(e["ends_on"]) >= today), None)


def belongs_to(editions: list[EditionState], period: dict | None, received_at: datetime) -> str | None:
    """The id of the edition a submission received at ``received_at`` belongs to (None: no edition yet)."""
    edition = edition_of(editions, period, received_at.astimezone(MALMO).date())
    return edition["edition_id"] if edition else None


def lateness(editions: list[EditionState], period: dict | None, received_at: datetime) -> LateMark | None:
    """The late mark of a submission received at ``received_at``, or None when it is in time."""
    today = received_at.astimezone(MALMO).date()
    edition = edition_of(editions, period, today)
    closes = _day((edition or {}).get("submission_closes_on"))
    if closes is None or today <= closes:
        return None
    return {"edition_id": edition["edition_id"], "submission_closes_on": closes.isoformat(), "received_on": today.isoformat()}
