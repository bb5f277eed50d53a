"""When an initiative's first session begins: the registry's small copy of scheduling's sessions
(pure). A report may be filed only once it has (``domain.reports.refusal_to_file``).

Each session's newest version is kept (a repeat or an older version changes nothing, so replays and
reordering end in the same copy). A draft or cancelled session is not held: the first start is the
earliest start of the others.
"""

from datetime import datetime

from services.registry.domain.states import SessionStartsState
from shared.decisions import Decision, NoChange

NOT_HELD = ("draft", "cancelled")


def decide_session_seen(state: SessionStartsState | None, _version: int, initiative_id: str, session_id: str, seen: dict) -> Decision | NoChange:
    """Keep ``seen`` (``{version, starts_at, status}``) unless the copy holds this session's newer version."""
    sessions = dict((state or {}).get("sessions", {}))
    if session_id in sessions and sessions[session_id]["version"] >= seen["version"]:
        return NoChange()
    sessions[session_id] = seen
    return Decision({"initiative_id": initiative_id, "sessions": sessions})


def first_start(state: SessionStartsState | None) -> datetime | None:
    """The start of the initiative's earliest session that is to be held (None: none is)."""
    starts = [datetime.fromisoformat(s["starts_at"]) for s in (state or {}).get("sessions", {}).values() if s["status"] not in NOT_HELD]
    return min(starts, default=None)
