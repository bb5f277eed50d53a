"""Outcome report reminders, as pure rules and decisions (docs/notifications.md, "Report reminders").

One document per initiative: the end of each of its sessions not cancelled, whether a report came
(any event on ``registry.reports.v1`` for it), how many reminders were sent and when the next is
due. The first is due ``AFTER`` the initiative's LAST session ended, the second ``AFTER`` later;
none once a report came, none after the second.
"""

from datetime import datetime, timedelta
from typing import TypedDict

from shared.decisions import Decision

AFTER = timedelta(days=14)
REMINDERS = 2


class ReminderState(TypedDict, total=False):
    initiative_id: str
    title: dict[str, str]
    ends: dict[str, str]  # session id → its end (ISO), sessions not cancelled
    reported: bool
    sent: int
    due_at: datetime | None


def last_end(ends: dict[str, str]) -> datetime | None:
    return max((datetime.fromisoformat(e) for e in ends.values()), default=None)


def next_due(ends: dict[str, str], sent: int, reported: bool) -> datetime | None:
    """When the next reminder is due: ``AFTER`` × (reminders sent + 1) after the last session ended."""
    last = last_end(ends)
    if reported or last is None or sent >= REMINDERS:
        return None
    return last + AFTER * (sent + 1)


def _with(current: dict | None, initiative_id: str, **changes) -> dict:
    state = {"initiative_id": initiative_id, "title": {}, "ends": {}, "reported": False, "sent": 0, **(current or {}), **changes}
    return {**state, "due_at": next_due(state["ends"], state["sent"], state["reported"])}


def session_seen(session: dict):
    """A session's new version: its end counts (or no longer, once cancelled or unpublished)."""

    def decide(current: dict | None, _v: int) -> Decision | None:
        ends = dict((current or {}).get("ends") or {})
        ends.pop(session["session_id"], None)
        if session["status"] in ("published", "rescheduled"):
            ends[session["session_id"]] = str(session["ends_at"])
        state = _with(current, session["initiative_id"], ends=ends, title=session.get("title") or (current or {}).get("title") or {})
        return None if state == current else Decision(state)

    return decide


def report_came(initiative_id: str):
    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is not None and current.get("reported"):
            return None
        return Decision(_with(current, initiative_id, reported=True))

    return decide


def reminded(number: int):
    """Reminder ``number`` (1, 2) was scheduled: the next one's time; a repeat changes nothing."""

    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current.get("sent", 0) >= number:
            return None
        return Decision(_with(current, current["initiative_id"], sent=number))

    return decide
