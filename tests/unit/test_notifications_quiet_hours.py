"""Never at night: the quiet-hours rule, exhaustively and by property."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.notifications.domain.quiet_hours import STOCKHOLM, Window, backoff, is_urgent, next_allowed, timing

CATEGORIES = ["organizer_decision", "subscription_confirmation", "digest", "registration_confirmed", "registration_waitlisted",
              "registration_promoted", "reminder", "session_changed", "session_cancelled"]
moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))


def local(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


@settings(max_examples=500)
@given(now=moments, due_offset=st.integers(min_value=-3600, max_value=10 * 86400), start_offset=st.integers(min_value=-86400, max_value=20 * 86400), category=st.sampled_from(CATEGORIES))
def test_an_sms_is_never_scheduled_outside_the_day_window_unless_urgent(now, due_offset, start_offset, category):
    start = now + timedelta(seconds=start_offset)
    t = timing(now=now, channel="sms", category=category, due=now + timedelta(seconds=due_offset), session_start=start)
    hour = t.not_before.astimezone(STOCKHOLM).hour
    assert t.not_before >= now
    if t.urgent:
        assert category == "session_cancelled" and start.astimezone(STOCKHOLM).date() <= now.astimezone(STOCKHOLM).date()
        assert t.not_before == max(now, now + timedelta(seconds=due_offset))
    else:
        assert 8 <= hour < 21, t


@given(now=moments, category=st.sampled_from(CATEGORIES))
def test_email_has_no_quiet_hours(now, category):
    assert timing(now=now, channel="email", category=category).not_before == now


def test_night_sms_waits_for_eight_in_the_morning_stockholm_time_across_dst():
    for night, morning in [
        (local(2025, 10, 6, 22, 30), local(2025, 10, 7, 8)),
        (local(2025, 10, 7, 3, 0), local(2025, 10, 7, 8)),
        (local(2025, 3, 30, 1, 30), local(2025, 3, 30, 8)),  # the night summer time begins
        (local(2025, 10, 26, 2, 30), local(2025, 10, 26, 8)),  # and ends
    ]:
        assert next_allowed(night.astimezone(UTC), Window()) == morning.astimezone(UTC)
    day = local(2025, 10, 7, 20, 59).astimezone(UTC)
    assert next_allowed(day, Window()) == day
    assert next_allowed(local(2025, 10, 7, 21, 0).astimezone(UTC), Window()) == local(2025, 10, 8, 8).astimezone(UTC)


def test_a_same_day_cancellation_is_urgent_and_goes_at_night():
    now = local(2025, 10, 7, 6, 0)
    assert is_urgent("session_cancelled", now, local(2025, 10, 7, 18))
    assert not is_urgent("session_cancelled", now, local(2025, 10, 8, 18))
    assert not is_urgent("session_changed", now, local(2025, 10, 7, 18))
    t = timing(now=now, channel="sms", category="session_cancelled", session_start=local(2025, 10, 7, 18))
    assert t.urgent and t.not_before == now
    t = timing(now=now, channel="sms", category="session_cancelled", session_start=local(2025, 10, 8, 18))
    assert not t.urgent and t.not_before == local(2025, 10, 7, 8)


def test_a_reminder_expires_when_its_session_starts():
    now = local(2025, 10, 1, 12)
    start = local(2025, 10, 7, 18)
    t = timing(now=now, channel="email", category="reminder", due=start - timedelta(hours=24), session_start=start)
    assert t.not_before == start - timedelta(hours=24) and t.expires_at == start


def test_backoff_doubles_up_to_its_ceiling():
    assert [backoff(n, 30, 200).total_seconds() for n in (1, 2, 3, 4, 5)] == [30, 60, 120, 200, 200]
