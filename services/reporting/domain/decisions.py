"""Which state is kept, pure: the decisions of the live projection, the replay and the snapshots.

Every decision is "the newest version wins" (initiatives: plus the earliest review decision), or
for facts "the first one stays", so duplicates and reordered deliveries change nothing and a
replay from offset 0 ends identical. Each decision's outcome is the state kept: the new one when
it is written, the stored one when nothing changes (so the caller needs no second read).
"""

from datetime import datetime
from typing import TypeVar

from services.reporting.domain.states import InitiativeSummary
from shared.decisions import Decision, NoChange

Summary = TypeVar("Summary", bound=dict)


def decide_initiative(current: InitiativeSummary | None, state_version: int, incoming: InitiativeSummary) -> Decision | NoChange:
    """``merge_initiative`` as a decision; outcome: the summary kept."""
    merged = merge_initiative(current, incoming)
    return Decision(merged, outcome=merged) if merged is not None else NoChange(current)


def decide_newest(current: Summary | None, state_version: int, summary: Summary) -> Decision | NoChange:
    """An edition's, session's or registration's summary: the newest version wins; outcome: the summary kept."""
    chosen = newest(current, summary)
    return Decision(chosen, outcome=chosen) if chosen is not None else NoChange(current)


def decide_once(current: Summary | None, state_version: int, fact: Summary) -> Decision | NoChange:
    """A fact (a delivery's outcome, a snapshot published): stored once, a repeat changes nothing;
    outcome: the fact kept."""
    return Decision(fact, outcome=fact) if current is None else NoChange(current)


def merge_initiative(current: InitiativeSummary | None, incoming: InitiativeSummary) -> InitiativeSummary | None:
    """The newest version wins, except the first review decision, which is the earliest ever seen.

    Commutative and idempotent: any order of any deliveries ends in the same summary. None: no change.
    """
    if current is None:
        return incoming
    first = _earliest(current.get("first_decided_at"), incoming.get("first_decided_at"))
    if incoming["version"] > current["version"]:
        return {**incoming, "first_decided_at": first}
    if first != current.get("first_decided_at"):
        return {**current, "first_decided_at": first}
    return None


def _earliest(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return a if datetime.fromisoformat(a) <= datetime.fromisoformat(b) else b


def newest(current: Summary | None, summary: Summary) -> Summary | None:
    """The newest version wins; None: no change."""
    return None if current is not None and current["version"] >= summary["version"] else summary


def state_kind(event_type: str) -> str:
    """Editions, sessions, registrations, grant books or reports: the kind of summary a state event updates."""
    if event_type.startswith("se.malmo.oppna.edition."):
        return "editions"
    if event_type.startswith("se.malmo.oppna.grants."):
        return "grants"
    if event_type.startswith("se.malmo.oppna.report."):
        return "reports"
    return "registrations" if event_type.startswith("se.malmo.oppna.registration.") else "sessions"
