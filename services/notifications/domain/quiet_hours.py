"""Never at night: when an SMS may go, and until when any message is worth sending. Pure.

SMS wait for the day window (08:00–21:00 Europe/Stockholm by default) unless urgent; urgent is
the cancellation of a session that starts the same (Stockholm) day. Email has no quiet hours.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# How long a message stays worth sending when nothing else bounds it.
DEFAULT_TTL = {
    "organizer_decision": timedelta(days=14),
    "subscription_confirmation": timedelta(days=2),
    "digest": timedelta(days=3),
    "registration_confirmed": timedelta(days=30),
    "registration_waitlisted": timedelta(days=30),
    "registration_promoted": timedelta(days=30),
    "reminder": timedelta(days=2),
    "session_changed": timedelta(days=30),
    "session_cancelled": timedelta(days=30),
    "feedback_request": timedelta(days=3),  # asked the morning after: not worth asking later
    "report_reminder": timedelta(days=7),
}
# Categories about a session lose their worth when it starts.
BOUND_BY_SESSION_START = {"registration_confirmed", "registration_waitlisted", "registration_promoted", "reminder", "session_changed", "session_cancelled"}


@dataclass(frozen=True)
class Window:
    start_hour: int = 8
    end_hour: int = 21

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(STOCKHOLM)
        return self.start_hour <= local.hour < self.end_hour


def is_urgent(category: str, now: datetime, session_start: datetime | None) -> bool:
    """A cancellation of a session the same Stockholm day (or already past its day start) is urgent."""
    if category != "session_cancelled" or session_start is None:
        return False
    return session_start.astimezone(STOCKHOLM).date() <= now.astimezone(STOCKHOLM).date()


def next_allowed(moment: datetime, window: Window) -> datetime:
    """``moment`` itself if inside the day window, otherwise the window's next opening."""
    if window.contains(moment):
        return moment
    local = moment.astimezone(STOCKHOLM)
    day = local.date() if local.hour < window.start_hour else local.date() + timedelta(days=1)
    opening = datetime.combine(day, time(window.start_hour), tzinfo=STOCKHOLM)
    return opening.astimezone(moment.tzinfo or STOCKHOLM)


@dataclass(frozen=True)
class Timing:
    not_before: datetime
    expires_at: datetime
    urgent: bool


def timing(
    *,
    now: datetime,
    channel: str,
    category: str,
    due: datetime | None = None,
    session_start: datetime | None = None,
    window: Window = Window(),
) -> Timing:
    """When a message may be sent (``not_before``) and when it becomes worthless (``expires_at``)."""
    due = max(due or now, now)
    urgent = is_urgent(category, now, session_start)
    not_before = due if (channel != "sms" or urgent) else next_allowed(due, window)
    expires_at = due + DEFAULT_TTL.get(category, timedelta(days=7))
    if session_start is not None and category in BOUND_BY_SESSION_START and category != "session_cancelled":
        expires_at = min(expires_at, session_start)
    if category == "session_cancelled" and session_start is not None:
        # Worth telling until the session would have ended; a day's margin for late news.
        expires_at = min(expires_at, session_start + timedelta(hours=12))
    return Timing(not_before=not_before, expires_at=expires_at, urgent=urgent)


def reminder_due(session_start: datetime, hours_before: int) -> datetime:
    return session_start - timedelta(hours=hours_before)


def backoff(attempts: int, first_s: float, max_s: float) -> timedelta:
    """Delay before the next attempt after ``attempts`` temporary failures (exponential)."""
    return timedelta(seconds=min(max_s, first_s * 2 ** max(0, attempts - 1)))
