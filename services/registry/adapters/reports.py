"""Where outcome reports are kept and found, and the copy of sessions' starts they wait for.

Reports: one aggregate per initiative (``_id`` = its id), changed only through its store; each
document carries ``status``, ``source`` and ``edition`` lifted to the top (FerretDB pushes down only
top-level equality: docs/decisions/0004-lifted-top-level-fields.md). Reports number one per stamped
initiative, so the few lists (the work list, the published) filter the rest in Python.

Session starts: the copy of scheduling's sessions by initiative (``domain.session_starts``), kept
by this process's consumer of scheduling.sessions.v1 only (``own=True``).
"""

from datetime import datetime
from typing import Any

from services.registry.domain.reports import WAITING, view
from services.registry.domain.session_starts import decide_session_seen, first_start
from services.registry.domain.states import ReportState
from shared.db.aggregates import AggregateStore, change_one
from shared.db.indexes import IndexSpec
from shared.events.reports import ReportStatus
from shared.events.scheduling import SessionCancelledV1, SessionPublishedV1, SessionRescheduledV1, SessionScheduledV1, SessionUpdatedV1

REPORTS = "reports"
SESSION_STARTS = "session_starts"
SESSION_EVENTS = (SessionScheduledV1, SessionPublishedV1, SessionUpdatedV1, SessionRescheduledV1, SessionCancelledV1)
MAX_LISTED = 2000
INDEXES = [IndexSpec(REPORTS, (("status", 1), ("edition", 1)))]


def lifted(state: ReportState) -> dict[str, Any]:
    """The top-level fields a report is found by (written with every change)."""
    return {"status": state["status"], "source": state["source"], "edition": state.get("edition_id")}


class SessionStarts:
    """The copy, written by the consumer; read when a report is filed."""

    def __init__(self, store: AggregateStore):
        self._store = store

    async def keep(self, event, data) -> None:
        seen = {"version": data.version, "starts_at": data.starts_at.isoformat(), "status": data.status.value}
        await change_one(self._store, data.initiative_id,
                         lambda state, version: decide_session_seen(state, version, data.initiative_id, data.session_id, seen))

    async def first_start(self, initiative_id: str) -> datetime | None:
        doc = await self._store.get(initiative_id)
        return first_start(doc["state"] if doc else None)


def _matches(state: ReportState, theme: str | None, district: str | None, target_group: str | None, source: str | None) -> bool:
    content = state["content"]
    return ((theme is None or theme in state.get("themes", [])) and (district is None or district in content.get("districts", []))
            and (target_group is None or target_group in content.get("target_groups", []))
            and (source is None or state["source"] == source))


class ReportQueries:
    """The curators' work list and the published reports (read only)."""

    def __init__(self, store: AggregateStore):
        self._store = store

    async def _with(self, status: str, edition: str | None) -> list[dict]:
        q: dict[str, Any] = {"status": status, **({"edition": edition} if edition else {})}
        return [d async for d in self._store.find(q, {"state": 1, "state_version": 1}, limit=MAX_LISTED)]

    async def waiting(self, edition: str | None, limit: int) -> list[dict]:
        """Reports waiting for a curator (submitted, in review), oldest in the queue first."""
        docs = [d for status in WAITING for d in await self._with(status, edition)]
        docs.sort(key=lambda d: (d["state"].get("queued_at") or "", d["_id"]))
        return [_item(d) for d in docs[:limit]]

    async def published(self, edition: str | None, theme: str | None, district: str | None, target_group: str | None,
                        source: str | None, limit: int) -> list[dict]:
        """Published reports, newest published first (their public fields)."""
        docs = [d for d in await self._with(ReportStatus.published.value, edition) if _matches(d["state"], theme, district, target_group, source)]
        docs.sort(key=lambda d: (d["state"].get("published_at") or "", d["_id"]), reverse=True)
        return [view(d["state"], d["state_version"], owns=False) for d in docs[:limit]]


def _item(doc: dict) -> dict:
    s = doc["state"]
    keys = ("initiative_id", "source", "edition_id", "title", "revision", "status", "queued_at", "updated_at")
    return {**{k: s.get(k) for k in keys}, "version": doc["state_version"]}
