"""Editions (forum periods): pure decisions, and the edition's period as the conflict check needs it.

States move planning → programme_published → closed, never back. An edition carries the
curators' choice per conflict rule (block or warn) and the changeover buffer between sessions
at one venue.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.scheduling.domain.conflicts import DEFAULT_RULES, Rule, Rules, Window
from services.scheduling.domain.events import emit
from shared.refusals import Refused
from services.scheduling.domain.states import EditionState
from shared.decisions import Decision, NoChange
from shared.events.scheduling import (
    EditionClosedV1,
    EditionPlannedV1,
    EditionProgrammePublishedV1,
    EditionStatus,
    EditionUpdatedV1,
)
from shared.topics import SCHEDULING_SESSIONS

TZ = ZoneInfo("Europe/Stockholm")
NO_SUCH_EDITION = Refused(404, "edition_id", "not_found", "No such edition")
NEXT = {EditionStatus.planning.value: EditionStatus.programme_published.value, EditionStatus.programme_published.value: EditionStatus.closed.value}


def window_of(edition: EditionState) -> Window:
    """The period from 00:00 on the first day to 24:00 on the last, Europe/Stockholm, in UTC."""
    start = datetime.combine(date.fromisoformat(edition["starts_on"]), time(0), TZ).astimezone(UTC)
    end = datetime.combine(date.fromisoformat(edition["ends_on"]) + timedelta(days=1), time(0), TZ).astimezone(UTC)
    return Window(start, end, timedelta(minutes=edition.get("changeover_minutes", 15)))


def rules_of(edition: EditionState) -> Rules:
    return Rules({Rule(k): v for k, v in edition.get("rules", {}).items()})


def default_rules() -> dict[str, str]:
    return {r.value: m.value for r, m in DEFAULT_RULES.items()}


# (earlier day, later day, code naming the earlier, code naming the later, what went wrong)
IN_ORDER = (
    ("starts_on", "ends_on", "after_end", "before_start", "The edition would end before it starts"),
    ("submission_opens_on", "submission_closes_on", "after_close", "before_open", "Submissions would close before they open"),
)


def backwards(edition: EditionState, changed: Iterable[str] = ()) -> Refused | None:
    """422 when a pair of days is turned round (the period, the submission window), also by a
    change combined with what is stored; it names the day the change moved (the later one when
    it moved both or neither). None when every pair is in order."""
    for first, last, first_code, last_code, message in IN_ORDER:
        early, late = edition.get(first), edition.get(last)
        if early is None or late is None or date.fromisoformat(early) <= date.fromisoformat(late):
            continue
        if first in changed and last not in changed:
            return Refused(422, first, first_code, f"{message}: {first} {early} is after {last} {late}")
        return Refused(422, last, last_code, f"{message}: {last} {late} is before {first} {early}")
    return None


def planned(edition: dict[str, Any]) -> EditionState:
    """An edition as planning stores it: in planning, every rule's mode (the defaults where not given)."""
    return {**edition, "status": EditionStatus.planning.value, "rules": {**default_rules(), **edition.get("rules", {})}}


def decide_plan(state: EditionState | None, version: int, edition: dict[str, Any], now: datetime, source: str) -> Decision | NoChange:
    """A new edition; the very same plan again changes nothing (None); the id of an edition
    that now holds other content is refused (409, the outcome): an edition changes only through PATCH."""
    new = planned(edition)
    if state is not None:
        differs = sorted(k for k in (set(state) | set(new)) - {"status"} if state.get(k) != new.get(k))
        if differs:
            return NoChange(Refused(
                409, "edition_id", "exists",
                f"The edition {edition['edition_id']} exists with other {', '.join(differs)}; change it with PATCH /v1/editions/{edition['edition_id']}",
            ))
        return NoChange()
    if (refusal := backwards(new)) is not None:
        return NoChange(refusal)
    return Decision(new, [emit(SCHEDULING_SESSIONS, EditionPlannedV1, new, version + 1, new["edition_id"], now, source)])


def decide_update(state: EditionState | None, version: int, changes: dict[str, Any], now: datetime, source: str) -> Decision | NoChange:
    if state is None:
        return NoChange(NO_SUCH_EDITION)
    if state["status"] == EditionStatus.closed.value:
        return NoChange(Refused(409, "status", "closed", "A closed edition does not change"))
    new = {**state, **changes, "rules": {**state["rules"], **changes.get("rules", {})}}
    if (refusal := backwards(new, changes)) is not None:
        return NoChange(refusal)
    if new == state:
        return NoChange()
    return Decision(new, [emit(SCHEDULING_SESSIONS, EditionUpdatedV1, new, version + 1, new["edition_id"], now, source)])


def decide_advance(state: EditionState | None, version: int, to: str, now: datetime, source: str) -> Decision | NoChange:
    """planning → programme_published, programme_published → closed."""
    if state is None:
        return NoChange(NO_SUCH_EDITION)
    if state["status"] == to:
        return NoChange()
    if NEXT.get(state["status"]) != to:
        return NoChange(Refused(409, "status", "invalid_transition", f"An edition in '{state['status']}' cannot become '{to}'"))
    new = {**state, "status": to}
    model = EditionProgrammePublishedV1 if to == EditionStatus.programme_published.value else EditionClosedV1
    return Decision(new, [emit(SCHEDULING_SESSIONS, model, new, version + 1, new["edition_id"], now, source)])
