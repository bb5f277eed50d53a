"""The retention rule, pure: which sessions' contacts are due for erasure at ``now``."""

from datetime import UTC, datetime, timedelta

from services.scheduling.domain.retention import past_retention

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def session(sid: str, ends_at: datetime | None, status: str = "published") -> dict:
    return {"session_id": sid, "status": status, "starts_at": (ends_at - timedelta(hours=2)).isoformat() if ends_at else None,
            "ends_at": ends_at.isoformat() if ends_at else None}


def test_a_session_is_due_once_it_ended_more_than_the_retention_days_ago():
    sessions = [
        session("long-ago", NOW - timedelta(days=90, seconds=1)),
        session("exactly-90-days", NOW - timedelta(days=90)),
        session("last-month", NOW - timedelta(days=30)),
        session("coming", NOW + timedelta(days=3)),
    ]
    assert past_retention(sessions, NOW, 90) == ["long-ago"]
    assert past_retention(sessions, NOW, 30) == ["exactly-90-days", "long-ago"], "ended exactly 30 days ago: not yet"
    assert past_retention(sessions, NOW + timedelta(seconds=1), 30) == ["exactly-90-days", "last-month", "long-ago"]


def test_zero_days_erases_as_soon_as_the_session_ended_and_not_before():
    sessions = [session("ended", NOW - timedelta(minutes=1)), session("running", NOW + timedelta(minutes=30))]
    assert past_retention(sessions, NOW, 0) == ["ended"]


def test_a_cancelled_session_counts_from_the_end_it_had_and_a_draft_never_is_due():
    sessions = [
        session("cancelled", NOW - timedelta(days=91), status="cancelled"),
        session("draft", None, status="draft"),
        {"session_id": "no-time-at-all", "status": "draft"},
    ]
    assert past_retention(sessions, NOW, 90) == ["cancelled"]


def test_ends_are_compared_as_instants_whatever_their_offset():
    ended = {"session_id": "s", "ends_at": "2026-02-27T13:30:00+01:00"}  # 12:30 UTC: two days before NOW + 30 minutes
    assert past_retention([ended], NOW, 2) == []
    assert past_retention([ended], NOW + timedelta(minutes=31), 2) == ["s"]
    as_datetime = {"session_id": "t", "ends_at": datetime(2026, 2, 27, 13, 30, tzinfo=UTC)}  # as a copy may hold it
    assert past_retention([as_datetime], NOW + timedelta(hours=1, minutes=31), 2) == ["t"]
