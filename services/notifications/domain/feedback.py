"""The feedback survey, as pure rules and decisions (docs/notifications.md, "Feedback").

Who is asked: the registrants of a session who were checked in; where no one at the session was
checked in, every confirmed registrant. When: the morning after the session ended (Malmö time).

Anonymity: each registrant asked gets a random token in their message's link; what is kept of it
is a SLOT, ``_id = sha256(token)``, holding the session, its initiative and edition, whether it was
answered and until when it may be — no registration, no message, no time. An answer is kept apart
with a random id and no reference to its slot (``AnswerState``); its event carries the day only.
A second answer through the same link is refused (replacing the first would need a link from the
slot to the answer).
"""

import hashlib
import secrets
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import TypedDict

from services.notifications.domain.quiet_hours import STOCKHOLM
from shared.decisions import Decision, NoChange, Pending
from shared.envelope import new_event
from shared.events.feedback import FeedbackAnsweredV1, FeedbackCommentReleasedV1
from shared.topics import NOTIFICATIONS_FEEDBACK

OPEN_DAYS = 30  # a link answers for this many days after its message was made
COMMENT_MAX = 2000


class SurveyState(TypedDict, total=False):
    """One session's survey, planned on its events: sent once, the morning after it ended."""

    session_id: str
    initiative_id: str
    edition_id: str | None
    ends_at: str
    due_at: datetime
    status: str  # waiting | sent | cancelled


class SlotState(TypedDict, total=False):
    """What is kept of one survey link: nothing that names the person asked."""

    session_id: str
    initiative_id: str
    edition_id: str | None
    answered: bool
    expires_on: str  # ISO day: after it, the link answers that the survey has closed


class AnswerState(TypedDict, total=False):
    session_id: str
    initiative_id: str
    edition_id: str | None
    answered_on: str  # ISO day only
    score: int
    would_come_again: bool | None
    comment: str | None
    released: bool
    comment_id: str  # random, given when a curator releases the comment


def survey_due(ends_at: datetime, hour: int) -> datetime:
    """The morning after the session ended: ``hour`` o'clock, Malmö time, the next day."""
    day = ends_at.astimezone(STOCKHOLM).date() + timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM).astimezone(UTC)


def any_checked_in(registrations: list[dict]) -> bool:
    return any(r.get("attended") and r.get("status") != "cancelled" for r in registrations)


def is_asked(registration: dict, checked_in_taken: bool) -> bool:
    """Whether this registrant is asked: checked in, or — where no one was — confirmed."""
    if checked_in_taken:
        return bool(registration.get("attended")) and registration.get("status") != "cancelled"
    return registration.get("status") == "confirmed"


def who_is_asked(registrations: list[dict]) -> list[dict]:
    taken = any_checked_in(registrations)
    return [r for r in registrations if is_asked(r, taken)]


def survey_planned(session: dict, hour: int):
    """A session's survey after a new version of it: its time follows the session's end; a
    cancelled session's is cancelled; one sent stays sent."""

    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is not None and current["status"] == "sent":
            return None
        if session["status"] == "cancelled":
            return Decision({**current, "status": "cancelled"}) if current is not None else None
        if session["status"] not in ("published", "rescheduled"):
            return None
        ends_at = datetime.fromisoformat(session["ends_at"]) if isinstance(session["ends_at"], str) else session["ends_at"]
        state = SurveyState(session_id=session["session_id"], initiative_id=session["initiative_id"], edition_id=session.get("edition_id"),
                            ends_at=ends_at.isoformat(), due_at=survey_due(ends_at, hour), status="waiting")
        return None if current == state else Decision(dict(state))

    return decide


def survey_sent(current: dict | None, _v: int) -> Decision | None:
    if current is None or current["status"] != "waiting":
        return None
    return Decision({**current, "status": "sent"})


def new_token() -> str:
    return secrets.token_urlsafe(24)


def slot_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_slot(survey: dict, today: date) -> SlotState:
    return SlotState(session_id=survey["session_id"], initiative_id=survey["initiative_id"], edition_id=survey.get("edition_id"),
                     answered=False, expires_on=(today + timedelta(days=OPEN_DAYS)).isoformat())


def slot_status(slot: dict | None, today: date) -> str:
    """``unknown`` (no such link), ``answered``, ``closed`` (past ``expires_on``) or ``open``."""
    if slot is None:
        return "unknown"
    if slot["answered"]:
        return "answered"
    return "closed" if today > date.fromisoformat(slot["expires_on"]) else "open"


def take_slot(today: date):
    """The slot marked answered, if open; the outcome is its status before (``open`` when taken)."""

    def decide(current: dict | None, _v: int) -> Decision | NoChange:
        status = slot_status(current, today)
        if status != "open":
            return NoChange(status)
        return Decision({**current, "answered": True}, outcome="open")

    return decide


def stockholm_day(now: datetime) -> date:
    return now.astimezone(STOCKHOLM).date()


def _day_time(day: date) -> datetime:
    """An event's time when only the day may be told: midnight UTC of the day."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def answered(slot: dict, day: date, score: int, would_come_again: bool | None, comment: str | None, source: str) -> Decision:
    """A new answer (its document's id is random, the caller's) with its event in its outbox."""
    comment = (comment or "").strip()[:COMMENT_MAX] or None
    state = AnswerState(session_id=slot["session_id"], initiative_id=slot["initiative_id"], edition_id=slot.get("edition_id"),
                        answered_on=day.isoformat(), score=score, would_come_again=would_come_again, comment=comment, released=False)
    data = FeedbackAnsweredV1(session_id=slot["session_id"], initiative_id=slot["initiative_id"], edition_id=slot.get("edition_id"),
                              answered_on=day, score=score, would_come_again=would_come_again, commented=comment is not None)
    event = new_event(data, source=source, subject=slot["session_id"], event_id=str(uuid.uuid4()), time=_day_time(day))
    return Decision(dict(state), [Pending.of(NOTIFICATIONS_FEEDBACK, event, key=slot["session_id"])])


def released(source: str, now: datetime):
    """A curator releases an answer's comment: published once (text only, a random comment id);
    a repeat changes nothing. Outcome: the answer's state, or None where there is no comment."""

    def decide(current: dict | None, _v: int) -> Decision | NoChange:
        if current is None or not current.get("comment"):
            return NoChange(None)
        if current.get("released"):
            return NoChange(current)
        comment_id = str(uuid.uuid4())
        state = {**current, "released": True, "comment_id": comment_id}
        data = FeedbackCommentReleasedV1(comment_id=comment_id, session_id=current["session_id"], initiative_id=current["initiative_id"],
                                         edition_id=current.get("edition_id"), text=current["comment"])
        event = new_event(data, source=source, subject=current["session_id"], time=_day_time(stockholm_day(now)))
        return Decision(state, [Pending.of(NOTIFICATIONS_FEEDBACK, event, key=current["session_id"])], outcome=state)

    return decide
