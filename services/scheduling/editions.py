"""Editions (forum periods): pure decisions, and the edition's period as the conflict check needs it.

States move planning → programme_published → closed, never back. An edition carries the
curators' choice per conflict rule (block or warn) and the changeover buffer between sessions
at one venue.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.scheduling.conflicts import DEFAULT_RULES, Rule, Rules, Window
from services.scheduling.events import emit
from services.scheduling.seats import Refused
from shared.db.aggregates import Decision
from shared.events.scheduling import (
    EditionClosedV1,
    EditionPlannedV1,
    EditionProgrammePublishedV1,
    EditionStatus,
    EditionUpdatedV1,
)
from shared.topics import SCHEDULING_SESSIONS

TZ = ZoneInfo("Europe/Stockholm")
NEXT = {EditionStatus.planning.value: EditionStatus.programme_published.value, EditionStatus.programme_published.value: EditionStatus.closed.value}


def window_of(edition: dict) -> Window:
    """The period from 00:00 on the first day to 24:00 on the last, Europe/Stockholm, in UTC."""
    start = datetime.combine(date.fromisoformat(edition["starts_on"]), time(0), TZ).astimezone(UTC)
    end = datetime.combine(date.fromisoformat(edition["ends_on"]) + timedelta(days=1), time(0), TZ).astimezone(UTC)
    return Window(start, end, timedelta(minutes=edition.get("changeover_minutes", 15)))


def rules_of(edition: dict) -> Rules:
    return Rules({Rule(k): v for k, v in edition.get("rules", {}).items()})


def default_rules() -> dict[str, str]:
    return {r.value: m.value for r, m in DEFAULT_RULES.items()}


def decide_plan(state: dict | None, version: int, edition: dict[str, Any], now: datetime, source: str) -> Decision | None:
    if state is not None:
        return None  # the same id again: already planned
    new = {**edition, "status": EditionStatus.planning.value, "rules": {**default_rules(), **edition.get("rules", {})}}
    return Decision(new, [emit(SCHEDULING_SESSIONS, EditionPlannedV1, new, version + 1, new["edition_id"], now, source)])


def decide_update(state: dict | None, version: int, changes: dict[str, Any], now: datetime, source: str) -> Decision | None:
    if state is None:
        raise Refused(404, "edition_id", "not_found", "No such edition")
    if state["status"] == EditionStatus.closed.value:
        raise Refused(409, "status", "closed", "A closed edition does not change")
    new = {**state, **changes, "rules": {**state["rules"], **changes.get("rules", {})}}
    if date.fromisoformat(new["ends_on"]) < date.fromisoformat(new["starts_on"]):
        raise Refused(422, "ends_on", "before_start", "The edition ends before it starts")
    if new == state:
        return None
    return Decision(new, [emit(SCHEDULING_SESSIONS, EditionUpdatedV1, new, version + 1, new["edition_id"], now, source)])


def decide_advance(state: dict | None, version: int, to: str, now: datetime, source: str) -> Decision | None:
    """planning → programme_published, programme_published → closed."""
    if state is None:
        raise Refused(404, "edition_id", "not_found", "No such edition")
    if state["status"] == to:
        return None
    if NEXT.get(state["status"]) != to:
        raise Refused(409, "status", "invalid_transition", f"An edition in '{state['status']}' cannot become '{to}'")
    new = {**state, "status": to}
    model = EditionProgrammePublishedV1 if to == EditionStatus.programme_published.value else EditionClosedV1
    return Decision(new, [emit(SCHEDULING_SESSIONS, model, new, version + 1, new["edition_id"], now, source)])
