"""Participants' feedback on a session: anonymous answers to one short question.

``notifications.feedback.v1``, keyed and subjected by the session id. An answer carries nothing
that links it to the person or the registration: the session, the day it came, the score, whether
they would come again, whether they wrote a comment. A comment's text travels only once a curator
released it (``FeedbackCommentReleasedV1``), and even then without the answer it belongs to.
"""

from datetime import date

from pydantic import Field

from shared.envelope import EventData


class FeedbackAnsweredV1(EventData):
    """One anonymous answer (the event id is random: it names no registration)."""

    event_type = "se.malmo.oppna.feedback.answered.v1"
    session_id: str
    initiative_id: str
    edition_id: str | None = None
    answered_on: date = Field(description="The day only (Europe/Stockholm), never the time.")
    score: int = Field(ge=1, le=5, description="How was it: 1 (poor) to 5 (very good).")
    would_come_again: bool | None = None
    commented: bool = Field(description="Whether a comment was written (its text is not here).")


class FeedbackCommentReleasedV1(EventData):
    """A comment a curator released for the organiser and the follow-up (without its answer)."""

    event_type = "se.malmo.oppna.feedback.comment_released.v1"
    comment_id: str = Field(description="Random: not the answer's, not the registration's.")
    session_id: str
    initiative_id: str
    edition_id: str | None = None
    text: str = Field(min_length=1, max_length=2000)


FEEDBACK_EVENTS: tuple[type[FeedbackAnsweredV1] | type[FeedbackCommentReleasedV1], ...] = (FeedbackAnsweredV1, FeedbackCommentReleasedV1)
