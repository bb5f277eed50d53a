"""The registry's own copy of the editions' submission windows, and which submissions are late.

Editions (forum periods with ``submission_opens_on`` / ``submission_closes_on``) are owned by
scheduling and told on ``scheduling.sessions.v1``; the registry keeps the newest version of each
(``keep_newest``: repeats and reordering change nothing).

The rule (pure, ``lateness``): a new initiative belongs to the edition whose forum period its
proposed period overlaps (the earliest such, if several); without a period, or overlapping none,
to the next forum period not yet over on the day it is received. It is late when that day, in
Malmö (Europe/Stockholm), is after the edition's ``submission_closes_on``; an edition without a
closing day takes everything. A late submission is accepted like any other and marked
``late: {edition_id, submission_closes_on, received_on}`` (the first revision decides; later
revisions keep the mark), for curators to see and filter on (``GET /v1/review/queue?late=true``).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from async_lru import alru_cache

from shared.db.aggregates import AggregateStore
from shared.db.copies import keep_newest
from shared.events.scheduling import EditionClosedV1, EditionPlannedV1, EditionProgrammePublishedV1, EditionUpdatedV1
from shared.kafka.consumer import Subscription, follow
from shared.topics import REGISTRY_DEADLETTER, SCHEDULING_SESSIONS

COLLECTION = "editions"
MALMO = ZoneInfo("Europe/Stockholm")
EDITION_EVENTS = (EditionPlannedV1, EditionUpdatedV1, EditionProgrammePublishedV1, EditionClosedV1)
KEPT = ("edition_id", "version", "starts_on", "ends_on", "submission_opens_on", "submission_closes_on", "status")


def _day(value) -> date | None:
    return None if value is None else value if isinstance(value, date) else date.fromisoformat(value)


def edition_of(editions: list[dict], period: dict | None, today: date) -> dict | None:
    """The edition a submission with this proposed period belongs to (see the module's rule)."""
    by_start = sorted(editions, key=lambda e: (_day(e["starts_on"]), e["edition_id"]))
    if period and period.get("start") and period.get("end"):
        start, end = _day(period["start"]), _day(period["end"])
        for e in by_start:
            if _day(e["starts_on"]) <= end and _day(e["ends_on"]) >= start:
                return e
    return next((e for e in by_start if _day(e["ends_on"]) >= today), None)


def lateness(editions: list[dict], period: dict | None, received_at: datetime) -> dict | None:
    """The late mark of a submission received at ``received_at``, or None when it is in time."""
    today = received_at.astimezone(MALMO).date()
    edition = edition_of(editions, period, today)
    closes = _day((edition or {}).get("submission_closes_on"))
    if closes is None or today <= closes:
        return None
    return {"edition_id": edition["edition_id"], "submission_closes_on": closes.isoformat(), "received_on": today.isoformat()}


class Editions:
    """The copy, and a short-lived cache of it for the submissions' path (editions are few)."""

    def __init__(self, store: AggregateStore, cache_s: float = 5.0):
        self._store = store
        self.cached = alru_cache(maxsize=1, ttl=cache_s)(self.all)

    async def keep(self, event, data) -> None:
        await keep_newest(self._store, data.edition_id, data.version, data.model_dump(mode="json", include=set(KEPT)))
        self.cached.cache_clear()

    async def all(self) -> list[dict]:
        return [d["state"] async for d in self._store.collection.find({}, {"state": 1})]

    def subscription(self) -> tuple[Subscription, str]:
        """(subscription, dedup scope): the editions on scheduling.sessions.v1; sessions are skipped.
        The copy keeps the newest version, so a repeat changes nothing: no processed-events look-up."""
        return follow("editions", SCHEDULING_SESSIONS, EDITION_EVENTS, self.keep, REGISTRY_DEADLETTER, dedup="none"), "editions"
