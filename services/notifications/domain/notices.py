"""Debounced change notices: a burst of edits to one session yields one notice. Pure decisions.

One document per session: ``{session_id, status: pending | done, burst, due_at, first_edit_at,
previous_starts_at}``. Each edit pushes ``due_at`` to ``now + debounce`` (at most ten debounce
periods after the burst's first edit, so endless edits still tell people); the timer fires
due notices into one ``session_changed`` message per registrant, keyed by the burst.
"""

from datetime import datetime, timedelta
from typing import TypedDict

from shared.decisions import Decision


class NoticeState(TypedDict, total=False):
    session_id: str
    status: str  # pending | done
    burst: str  # the cause of the burst's first edit: the notice's messages' cause
    first_edit_at: datetime
    due_at: datetime
    previous_starts_at: str | None
    edits: int
    causes: list[str]  # the burst's edits, the newest twenty
    seen: list[str]  # every edit the session's notices took, the newest two hundred

def edited(session_id: str, cause: str, previous_starts_at: str | None, now: datetime, debounce: timedelta):
    def decide(current: dict | None, _v: int) -> Decision | None:
        # Every edit this session's notices took, across bursts: a redelivered edit (also one
        # whose burst has fired) must neither open a new burst nor extend the current one.
        seen = (current or {}).get("seen", [current["burst"], *current.get("causes", [])] if current else [])
        if cause in seen:
            return None
        seen = [*seen[-200:], cause]
        if current is None or current["status"] == "done":
            return Decision({
                "session_id": session_id, "status": "pending", "burst": cause, "first_edit_at": now,
                "due_at": now + debounce, "previous_starts_at": previous_starts_at, "edits": 1, "seen": seen,
            })
        cap = current["first_edit_at"] + 10 * debounce
        return Decision({**current, "due_at": min(now + debounce, cap), "edits": current["edits"] + 1,
                         "causes": current.get("causes", [current["burst"]])[-20:] + [cause], "seen": seen})

    return decide


def fired(burst: str):
    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] != "pending" or current["burst"] != burst:
            return None
        return Decision({**current, "status": "done"})

    return decide
