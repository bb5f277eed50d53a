"""When a session's new version walks its registrations for reminders (a pure decision)."""

from services.notifications.usecases.triggers import _reminders_may_change

BEFORE = {"version": 3, "status": "published", "starts_at": "2026-10-07T16:00:00+00:00", "seats_confirmed": 10}


def test_seats_alone_walk_no_one_again():
    assert not _reminders_may_change(BEFORE, {**BEFORE, "version": 4, "seats_confirmed": 11})


def test_a_new_start_or_a_new_status_walks_everyone():
    assert _reminders_may_change(BEFORE, {**BEFORE, "version": 4, "starts_at": "2026-10-07T18:00:00+00:00"})
    assert _reminders_may_change(BEFORE, {**BEFORE, "version": 4, "status": "rescheduled"})


def test_a_first_copy_and_a_redelivery_walk_everyone():
    """A redelivery may follow a crash before the walk was done: walked again (idempotent)."""
    assert _reminders_may_change(None, BEFORE)
    assert _reminders_may_change(BEFORE, dict(BEFORE))
