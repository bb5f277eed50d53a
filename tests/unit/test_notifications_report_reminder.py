"""Report reminders' timing as pure functions: 14 days after the initiative's last session ended,
once more 14 days later, never after a report came."""

from datetime import UTC, datetime, timedelta

from services.notifications.domain import report_reminders as rr

END1, END2 = "2025-10-07T20:00:00+02:00", "2025-10-14T20:00:00+02:00"


def session(sid: str, ends_at: str, status: str = "published") -> dict:
    return {"session_id": sid, "initiative_id": "i1", "status": status, "ends_at": ends_at, "title": {"sv": "Samtal"}}


def test_the_first_reminder_is_due_fourteen_days_after_the_last_session_and_the_second_fourteen_later():
    state = rr.session_seen(session("s1", END1))(None, 0).state
    state = rr.session_seen(session("s2", END2))(state, 1).state
    last = datetime.fromisoformat(END2)
    assert state["due_at"] == last + timedelta(days=14)
    state = rr.reminded(1)(state, 2).state
    assert state["sent"] == 1 and state["due_at"] == last + timedelta(days=28)
    state = rr.reminded(2)(state, 3).state
    assert state["due_at"] is None and rr.reminded(2)(state, 4) is None


def test_a_cancelled_last_session_no_longer_counts():
    state = rr.session_seen(session("s2", END2))(rr.session_seen(session("s1", END1))(None, 0).state, 1).state
    state = rr.session_seen(session("s2", END2, "cancelled"))(state, 2).state
    assert state["due_at"] == datetime.fromisoformat(END1) + timedelta(days=14)


def test_no_reminder_once_a_report_came_whatever_comes_after():
    state = rr.report_came("i1")(None, 0).state
    assert state["due_at"] is None
    state = rr.session_seen(session("s1", END1))(state, 1).state
    assert state["reported"] and state["due_at"] is None and rr.report_came("i1")(state, 2) is None


def test_the_same_session_again_changes_nothing():
    state = rr.session_seen(session("s1", END1))(None, 0).state
    assert rr.session_seen(session("s1", END1))(state, 1) is None


def test_next_due_is_a_pure_function_of_the_ends_and_the_count():
    ends = {"s1": datetime(2025, 10, 1, tzinfo=UTC).isoformat()}
    assert rr.next_due(ends, 0, False) == datetime(2025, 10, 15, tzinfo=UTC)
    assert rr.next_due(ends, 1, False) == datetime(2025, 10, 29, tzinfo=UTC)
    assert rr.next_due(ends, 2, False) is None and rr.next_due(ends, 0, True) is None and rr.next_due({}, 0, False) is None
