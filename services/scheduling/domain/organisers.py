"""What an organiser (a publisher, signed in with its source's key) may do at scheduling, and the
counts it sees of its sessions. Pure: roles are their names, sessions their views.

Staff (schedulers, curators) act on every session. A publisher reads, lists the registrations of
(codes, never contacts) and checks people in at only the sessions whose ``source`` is its own;
another source's session is answered as if it did not exist (404, not 403: a draft session of
another publisher is not told to exist). Publishing, moving and cancelling stay the schedulers'.
"""

from typing import Any

ORGANISER = "source"  # the publisher's role (shared.auth.Role.source)
COUNTED = ("session_id", "edition_id", "initiative_id", "title", "status", "starts_at", "ends_at", "venue", "online_url",
           "capacity", "registration_required", "seats_confirmed", "waitlisted")


def may_act_on(role: str, own_source: str | None, session: dict[str, Any] | None) -> bool:
    """Whether a caller of ``role`` (a publisher: of ``own_source``) may act on ``session`` (None: none such)."""
    if role != ORGANISER:
        return True
    return session is not None and own_source is not None and session.get("source") == own_source


def checked_in(state: dict[str, Any]) -> int:
    """Registrations checked in at the door: those whose attendance changed (``seats.check_in``)."""
    return sum(1 for mark in state.get("changed", {}).values() if mark.get("attended"))


def with_counts(view: dict[str, Any]) -> dict[str, Any]:
    """A session as its organiser's list shows it: when and where, capacity, seats confirmed
    (party sizes summed), registrations waiting and registrations checked in."""
    return {**{k: view.get(k) for k in COUNTED}, "checked_in": view.get("_checked_in", 0)}
