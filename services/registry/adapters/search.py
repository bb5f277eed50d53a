"""Finding initiatives: filters become database queries; pages walk the initiatives bucket by bucket.

FerretDB pushes down only equality on top-level fields and sorts in its own process, over every
document a query lets through (docs/decisions/0004-lifted-top-level-fields.md). A list sorted by
``_id`` over the whole collection would read every initiative on each page, past the database
call's timeout once there are tens of thousands. So every initiative document carries top-level fields lifted from its state (``lifted``): its
``status`` and ``source`` (the filters people use most, pushed down), ``changed_since_stamp`` (the
work list's filter, ``domain.review.changed_since_stamp``) and a ``list_bucket``, a stable
hash of its id into ``BUCKETS`` buckets. A page asks bucket after bucket (``{list_bucket: b, …}``, a
backed equality) and sorts only that bucket; the order of the list is (bucket, ``_id``), as
arbitrary as the random ``_id`` order was, and stable. On MongoDB the same queries use the declared
indexes.

A page does at most about ``PAGE_BUDGET_S`` of work: a filter that few initiatives match, or
free text, may walk many buckets, and the walk then stops with a short page whose
``next_cursor`` says where to go on. The cursor, not the page size, tells whether there is more.

Free text (Swedish and English titles, summaries, descriptions, organizer name) has no index to
use — FerretDB has no text indexes — so it is matched in Python over the documents the other
filters let through, at most ``SCAN_LIMIT`` of them per request. Combine free text with other
filters to keep the walk short.
"""

import asyncio
import time
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.registry.domain.events import public_state
from services.registry.domain.review import changed_since_stamp, stamped_revision
from services.registry.domain.states import InitiativeState
from shared.db.aggregates import AggregateStore
from shared.db.indexes import IndexSpec
from shared.events.initiatives import InitiativeStatus, OrganizerKind, Origin

SCAN_LIMIT = 1000
BUCKETS = 256  # ~110 initiatives a bucket at 28,000; a small registry walks many small ones at once
BUCKET = "list_bucket"
CHANGED = "changed_since_stamp"
MAX_WAVE = 16  # buckets asked side by side (the client's pool is 8)
PAGE_BUDGET_S = 1.0


def bucket_of(initiative_id: str) -> int:
    # crc32, not hash(): the same in every process, replica and Python version.
    return zlib.crc32(initiative_id.encode()) % BUCKETS


def lifted(state: InitiativeState) -> dict[str, Any]:
    """The top-level fields an initiative is found by (the store writes them with every change)."""
    return {"status": state["status"], "source": state["source"], "edition": state.get("edition_id"), CHANGED: changed_since_stamp(state), BUCKET: bucket_of(state["initiative_id"])}


def indexes(collection: str) -> list[IndexSpec]:
    return [
        IndexSpec(collection, ((BUCKET, 1), ("_id", 1))),
        IndexSpec(collection, (("status", 1), ("_id", 1))),
        IndexSpec(collection, (("source", 1), ("_id", 1))),
        IndexSpec(collection, (("edition", 1), ("status", 1))),
        IndexSpec(collection, ((CHANGED, 1), ("status", 1))),
    ]


class BadCursor(ValueError):
    """A ``cursor`` this service did not give out."""


def cursor_of(bucket: int, after: str | None) -> str:
    return f"{bucket:03d}:{after or ''}"


def position_of(cursor: str | None) -> tuple[int, str | None]:
    """(bucket to start in, ``_id`` to start after in it) of a cursor; a bare ``_id`` (the cursors
    given out before buckets) is continued in its bucket."""
    if not cursor:
        return 0, None
    head, sep, after = cursor.partition(":")
    if not sep:
        return bucket_of(cursor), cursor
    if not (len(head) == 3 and head.isdigit() and int(head) < BUCKETS):
        raise BadCursor(cursor)
    return int(head), after or None


@dataclass(frozen=True)
class Filters:
    status: InitiativeStatus | None = None
    theme: str | None = None
    organizer_kind: OrganizerKind | None = None
    source: str | None = None
    district: str | None = None
    target_group: str | None = None
    language: str | None = None
    origin: Origin | None = None
    period_from: date | None = None  # overlaps [period_from, period_to]
    period_to: date | None = None
    text: str | None = None
    edition: str | None = None  # the edition it belongs to (lifted)


# Filter attribute -> the document field it must equal, in query order (status, source and edition are lifted).
_EQUALS = (
    ("status", "status"),
    ("source", "source"),
    ("edition", "edition"),
    ("theme", "state.content.themes"),
    ("organizer_kind", "state.content.organizer.kind"),
    ("district", "state.content.districts"),
    ("target_group", "state.content.target_groups"),
    ("language", "state.content.languages"),
    ("origin", "state.content.origin"),
)


def query_of(f: Filters) -> dict[str, Any]:
    """The database filter for everything but free text."""
    q: dict[str, Any] = {}
    for attribute, field in _EQUALS:
        if value := getattr(f, attribute):
            q[field] = getattr(value, "value", value)  # an enum's value, a string as it is
    # Periods are ISO dates, so they compare as strings: overlap = start <= to and end >= from.
    if f.period_to:
        q["state.content.period.start"] = {"$lte": f.period_to.isoformat()}
    if f.period_from:
        q["state.content.period.end"] = {"$gte": f.period_from.isoformat()}
    return q


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def folded_text(state: InitiativeState) -> str:
    """The initiative's texts free text is matched in, in every language, folded."""
    content = state.get("content") or {}
    haystack = [state.get("external_id", ""), (content.get("organizer") or {}).get("name", "")]
    for name in ("title", "summary", "description"):
        haystack.extend(str(v) for v in (content.get(name) or {}).values())
    return fold(" \n ".join(haystack))


def matches_text(state: InitiativeState, text: str) -> bool:
    """Every word of ``text`` occurs in the initiative's texts, in any of its languages."""
    folded = folded_text(state)
    return all(word in folded for word in fold(text).split())


async def find_page(store: AggregateStore, f: Filters, cursor: str | None, limit: int,
                    budget_s: float = PAGE_BUDGET_S, view: Callable[[dict, int], dict] | None = None) -> tuple[list[dict], str | None]:
    """One page in (bucket, ``_id``) order, and the cursor of the next page (None at the end).

    Each item is ``view(state, version)`` (the reader's view, ``readers``), or the public state as
    on registry.initiatives.v1. Who may see what is the caller's filter (``status``, ``source``).

    Buckets are asked in waves that double (1, 2, 4 … ``MAX_WAVE`` side by side): a large
    registry fills a page from the first bucket, a small one from many nearly empty ones.
    """
    q = query_of(f)
    show = item_of if view is None else view

    def item(d: dict) -> dict:
        return show(d["state"], d["state_version"])

    start, after = position_of(cursor)
    deadline = time.monotonic() + budget_s
    hits: list[dict] = []
    scanned, bucket, wave = 0, start, 1
    while bucket < BUCKETS:
        if bucket > start and (time.monotonic() > deadline or scanned >= SCAN_LIMIT):
            return [item(d) for d in hits], cursor_of(bucket, None)  # go on from this bucket
        wanted = None if f.text else limit + 1 - len(hits)
        asked = range(bucket, min(bucket + wave, BUCKETS))
        found = await asyncio.gather(*(_in_bucket(store, q, b, after if b == start else None, wanted) for b in asked))
        for docs in found:
            scanned += len(docs)
            for d in docs:
                if f.text and not matches_text(d["state"], f.text):
                    continue
                if len(hits) == limit:  # one more than a page: the next page starts after the last hit
                    last = hits[-1]["_id"]
                    return [item(d) for d in hits], cursor_of(bucket_of(last), last)
                hits.append(d)
        bucket, wave = asked.stop, min(wave * 2, MAX_WAVE)
    return [item(d) for d in hits], None


async def _in_bucket(store: AggregateStore, q: dict[str, Any], bucket: int, after: str | None, limit: int | None) -> list[dict]:
    """The documents of one bucket that ``q`` lets through, in ``_id`` order (after ``after``)."""
    found = store.find({**q, BUCKET: bucket, **({"_id": {"$gt": after}} if after else {})}, {"state": 1, "state_version": 1},
                       limit=limit or 0, sort=[("_id", 1)])
    return [d async for d in found]


async def _waiting(store: AggregateStore, q: dict[str, Any]) -> list[dict]:
    return [d async for d in store.find(q, {"state": 1, "state_version": 1}, limit=SCAN_LIMIT)]


def item_of(state: InitiativeState, version: int) -> dict:
    """A list's item: the initiative as on registry.initiatives.v1."""
    return {**public_state(state), "version": version}


async def work_list(store: AggregateStore, statuses: list[InitiativeStatus], f: Filters, limit: int, late: bool | None = None,
                    changed: bool = False) -> list[dict]:
    """What waits for curators, oldest in the queue first; ``late``: only those submitted after
    their edition's window (True) or only the others (False); ``changed``: only those revised
    after their latest stamp. Each item shows its ``late`` mark and ``stamped_revision``.

    Bounded by what waits (not by every initiative): one query per status, each an equality on
    the lifted ``status`` (an ``$in`` is not pushed down: FerretDB would read every initiative),
    and with ``changed`` also on the lifted ``changed_since_stamp``; the ordering happens here,
    over at most ``SCAN_LIMIT`` initiatives of each status.
    """
    q = {**query_of(Filters(**{**f.__dict__, "status": None, "text": None})), **({CHANGED: True} if changed else {})}
    found = await asyncio.gather(*(_waiting(store, {**q, "status": s.value}) for s in dict.fromkeys(statuses)))
    docs = [d for docs in found for d in docs]
    if f.text:
        docs = [d for d in docs if matches_text(d["state"], f.text)]
    if late is not None:  # among the waiting ones already read: no look-up of its own
        docs = [d for d in docs if bool(d["state"].get("late")) == late]
    docs.sort(key=lambda d: (d["state"].get("queued_at") or d["state"]["received_at"], d["_id"]))
    return [queue_item(d["state"], d["state_version"], stamped_revision(d["state"])) for d in docs[:limit]]


def queue_item(state: InitiativeState, version: int, stamped: int | None) -> dict:
    """A work list's item: the initiative as on the topic, with its queue's marks."""
    return {**item_of(state, version), "queued_at": state.get("queued_at"), "late": state.get("late"), "stamped_revision": stamped}

