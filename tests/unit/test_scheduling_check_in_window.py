"""Check-in at the door: open from a configurable time before the start to the end of the session's
last day (Europe/Stockholm), refused otherwise, naming the field and when it opens or closed."""

from datetime import UTC, datetime, timedelta

import pytest

from services.scheduling.domain import seats, sessions
from services.scheduling.domain.seats import NewRegistration
from shared.refusals import Refused
from shared.decisions import NoChange

# 18:00–20:00 in Malmö on 7 October 2025 (CEST, UTC+2)
STARTS, ENDS = datetime(2025, 10, 7, 16, tzinfo=UTC), datetime(2025, 10, 7, 18, tzinfo=UTC)
TWO_HOURS = timedelta(minutes=120)


def session(starts=STARTS, ends=ENDS):
    return {
        "session_id": "s1",
        "edition_id": "om-2025",
        "status": "published",
        "registration_required": True,
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(),
        "capacity": 10,
        "max_party_size": 4,
        **seats.empty_book(),
    }


def refusal(state, now, opens_before=TWO_HOURS) -> Refused:
    with pytest.raises(Refused) as e:
        seats.check_in_open(state, now, opens_before)
    return e.value


def test_months_before_the_session_check_in_is_refused_naming_when_it_opens():
    r = refusal(session(), datetime(2025, 7, 1, 10, tzinfo=UTC))
    assert (r.status, r.field, r.code) == (409, "starts_at", "check_in_not_open")
    assert r.detail()[0]["opens_at"] == "2025-10-07T16:00:00+02:00"  # two hours before 18:00 in Malmö
    assert "2025-10-07 16:00" in r.message


def test_it_opens_the_configured_time_before_the_start_and_stays_open_to_the_end_of_the_day():
    for now in (STARTS - TWO_HOURS, STARTS, ENDS, datetime(2025, 10, 7, 21, 59, 59, tzinfo=UTC)):  # 23:59:59 in Malmö
        seats.check_in_open(session(), now, TWO_HOURS)
    assert refusal(session(), STARTS - TWO_HOURS - timedelta(seconds=1)).code == "check_in_not_open"
    # another setting, another opening
    assert refusal(session(), STARTS - timedelta(minutes=31), timedelta(minutes=30)).detail()[0]["opens_at"] == "2025-10-07T17:30:00+02:00"


def test_after_the_session_day_it_is_closed_naming_when():
    r = refusal(session(), datetime(2025, 10, 7, 22, tzinfo=UTC))  # midnight in Malmö
    assert (r.status, r.field, r.code) == (409, "ends_at", "check_in_closed")
    assert r.detail()[0]["closes_at"] == "2025-10-08T00:00:00+02:00"


def test_a_session_past_midnight_closes_at_the_end_of_its_last_day():
    late = session(datetime(2025, 10, 7, 20, tzinfo=UTC), datetime(2025, 10, 7, 23, tzinfo=UTC))  # 22:00–01:00 in Malmö
    seats.check_in_open(late, datetime(2025, 10, 8, 21, tzinfo=UTC), TWO_HOURS)  # 23:00 the next day
    assert refusal(late, datetime(2025, 10, 8, 22, tzinfo=UTC)).detail()[0]["closes_at"] == "2025-10-09T00:00:00+02:00"


def test_a_session_without_a_time_has_no_check_in():
    assert refusal({**session(), "starts_at": None, "ends_at": None, "status": "draft"}, STARTS).code == "not_scheduled"


def test_the_session_decision_refuses_outside_the_window_and_records_inside_it():
    state, _, entry = seats.register(session(), NewRegistration("r1", 1, "sv", "email", "h", ("ABCDEF",)), STARTS - timedelta(days=30))
    refused = sessions.decide_check_in(state, 3, entry, entry["code"], STARTS - timedelta(days=30), "urn:test", TWO_HOURS)
    assert isinstance(refused, NoChange) and isinstance(refused.outcome, Refused) and refused.outcome.code == "check_in_not_open"
    decision = sessions.decide_check_in(state, 3, entry, entry["code"], STARTS - timedelta(minutes=10), "urn:test", TWO_HOURS)
    assert decision.outcome == entry, "the outcome is the registration checked in"
    assert seats.current(decision.state, entry)["attended"] is True
