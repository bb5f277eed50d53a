"""Finding initiatives: filters become one database query; pages follow a cursor on ``_id``.

FerretDB sorts in its own process (INFRASTRUCTURE.md), so the list never asks for a count
and pages by ``_id > cursor`` with a limit. Free text (Swedish and English titles,
summaries, descriptions, organizer name) has no index to use — FerretDB has no text
indexes — so it is matched in Python over the documents the other filters let through,
reading at most ``SCAN_LIMIT`` of them per request. A page can then hold fewer hits than
``limit`` while ``next_cursor`` still says where to go on: the cursor, not the page size,
tells whether there is more. Combine free text with other filters to keep the scan short.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from services.registry.events import public_state
from shared.db.indexes import IndexSpec
from shared.events.initiatives import InitiativeStatus, OrganizerKind, Origin

SCAN_LIMIT = 1000


def indexes(collection: str) -> list[IndexSpec]:
    return [
        IndexSpec(collection, (("state.status", 1), ("_id", 1))),
        IndexSpec(collection, (("state.source", 1), ("_id", 1))),
    ]


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


def query_of(f: Filters) -> dict[str, Any]:
    """The database filter for everything but free text."""
    q: dict[str, Any] = {}
    if f.status:
        q["state.status"] = f.status.value
    if f.source:
        q["state.source"] = f.source
    if f.theme:
        q["state.content.themes"] = f.theme
    if f.organizer_kind:
        q["state.content.organizer.kind"] = f.organizer_kind.value
    if f.district:
        q["state.content.districts"] = f.district
    if f.target_group:
        q["state.content.target_groups"] = f.target_group
    if f.language:
        q["state.content.languages"] = f.language
    if f.origin:
        q["state.content.origin"] = f.origin.value
    # Periods are ISO dates, so they compare as strings: overlap = start <= to and end >= from.
    if f.period_to:
        q["state.content.period.start"] = {"$lte": f.period_to.isoformat()}
    if f.period_from:
        q["state.content.period.end"] = {"$gte": f.period_from.isoformat()}
    return q


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def matches_text(state: dict, text: str) -> bool:
    """Every word of ``text`` occurs in the initiative's texts, in any of its languages."""
    content = state.get("content") or {}
    haystack = [state.get("external_id", ""), (content.get("organizer") or {}).get("name", "")]
    for name in ("title", "summary", "description"):
        haystack.extend(str(v) for v in (content.get(name) or {}).values())
    folded = _fold(" \n ".join(haystack))
    return all(word in folded for word in _fold(text).split())


async def find_page(collection: AsyncCollection, f: Filters, cursor: str | None, limit: int) -> tuple[list[dict], str | None]:
    """One page of public states in ``_id`` order, and the cursor of the next page (None at the end)."""
    q = query_of(f)
    if cursor:
        q["_id"] = {"$gt": cursor}
    fetch = limit + 1 if not f.text else SCAN_LIMIT
    docs = await collection.find(q, {"state": 1, "state_version": 1}).sort("_id", 1).limit(fetch).to_list(None)
    if not f.text:
        page = docs[:limit]
        nxt = page[-1]["_id"] if len(docs) > limit else None
        return [_item(d) for d in page], nxt
    hits: list[dict] = []
    last = None
    for d in docs:
        last = d["_id"]
        if matches_text(d["state"], f.text):
            hits.append(d)
            if len(hits) == limit:
                break
    exhausted = len(docs) < fetch and last == (docs[-1]["_id"] if docs else None)
    return [_item(d) for d in hits], (None if exhausted else last)


def _item(doc: dict) -> dict:
    return {**public_state(doc["state"]), "version": doc["state_version"]}


async def work_list(collection: AsyncCollection, statuses: list[InitiativeStatus], f: Filters, limit: int) -> list[dict]:
    """What waits for curators, oldest in the queue first.

    Bounded by what waits (not by every initiative): the statuses are indexed and the
    ordering happens here, over at most ``SCAN_LIMIT`` waiting initiatives.
    """
    q = query_of(Filters(**{**f.__dict__, "status": None, "text": None}))
    q["state.status"] = {"$in": [s.value for s in statuses]}
    docs = await collection.find(q, {"state": 1, "state_version": 1}).limit(SCAN_LIMIT).to_list(None)
    if f.text:
        docs = [d for d in docs if matches_text(d["state"], f.text)]
    docs.sort(key=lambda d: (d["state"].get("queued_at") or d["state"]["received_at"], d["_id"]))
    return [{**_item(d), "queued_at": d["state"].get("queued_at")} for d in docs[:limit]]
