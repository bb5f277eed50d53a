"""Decisions on notifications' copies of scheduling's aggregates: a session kept with the time it
was first published, a registrant's contact replaced by the mark of its erasure. Pure."""

from datetime import datetime
from typing import TypedDict

from shared.decisions import Decision, NoChange


class ErasedContact(TypedDict):
    """What stays of an erased registrant's contact (the copies of sessions, registrations and
    contacts are otherwise the events' own states, ``shared/events/scheduling.py``)."""

    registration_id: str
    session_id: str | None
    erased: bool


def erased_contact(registration_id: str, session_id: str | None) -> ErasedContact:
    """What stays of an erased registrant's contact: no name, address or number — only that it was
    erased (``recipients.resolve``: a message to them is cancelled, not postponed), and the session,
    so the mark is met by a fan-out's walk of its session's contacts like any contact."""
    return ErasedContact(registration_id=registration_id, session_id=session_id, erased=True)


def forget(registration_id: str):
    """The decision of an erasure: the contact replaced by its mark; the outcome tells whether it was a contact."""

    def decide(current: dict | None, _v: int) -> Decision | NoChange:
        if current is not None and current.get("erased"):
            return NoChange(False)
        return Decision(erased_contact(registration_id, (current or {}).get("session_id")), outcome=current is not None)

    return decide


def session_kept(data: dict, now: datetime):
    """A session's newest state, with the time it was first published (digests look for it)."""

    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is not None and current["version"] >= data["version"]:
            return None
        first = (current or {}).get("first_published_at")
        if first is None and data["status"] in ("published", "rescheduled"):
            first = now
        return Decision({**data, "first_published_at": first})

    return decide
