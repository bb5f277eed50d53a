"""Late submissions (issue 24, point 22), as pure functions: which edition a submission belongs to,
and whether it came after that edition's submission window closed."""

from datetime import UTC, date, datetime

from services.registry.domain import initiatives
from services.registry.domain.editions import edition_of, lateness
from shared.events.initiatives import InitiativeSubmittedV1
from tests.platform import submission

SOURCE = "urn:malmo:source:kf"
E2025 = {"edition_id": "om-2025", "starts_on": "2025-10-06", "ends_on": "2025-10-19", "submission_opens_on": "2025-03-01", "submission_closes_on": "2025-08-31"}
E2026 = {"edition_id": "om-2026", "starts_on": "2026-10-05", "ends_on": "2026-10-18", "submission_opens_on": "2026-03-01", "submission_closes_on": "2026-08-31"}
EDITIONS = [E2026, E2025]


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


def test_the_edition_is_the_one_whose_forum_period_the_proposed_period_overlaps():
    assert edition_of(EDITIONS, {"start": "2025-10-01", "end": "2025-10-07"}, date(2025, 9, 10))["edition_id"] == "om-2025"
    assert edition_of(EDITIONS, {"start": "2026-10-18", "end": "2026-12-01"}, date(2025, 9, 10))["edition_id"] == "om-2026"


def test_without_an_overlapping_period_it_is_the_next_forum_period_not_yet_over():
    assert edition_of(EDITIONS, None, date(2025, 9, 10))["edition_id"] == "om-2025"
    assert edition_of(EDITIONS, {"start": "2025-12-01", "end": "2025-12-02"}, date(2025, 10, 20))["edition_id"] == "om-2026"
    assert edition_of(EDITIONS, None, date(2027, 1, 1)) is None


def test_a_submission_after_the_window_closes_is_late_with_the_edition_and_the_close_date():
    period = {"start": "2025-10-06", "end": "2025-10-08"}
    assert lateness(EDITIONS, period, at("2025-08-31", 21)) is None, "23:00 in Malmö on the closing day is still in time"
    assert lateness(EDITIONS, period, at("2025-08-31", 22)) == {
        "edition_id": "om-2025", "submission_closes_on": "2025-08-31", "received_on": "2025-09-01"}, "00:00 in Malmö the next day is late"
    assert lateness(EDITIONS, period, at("2025-06-01")) is None
    no_close = [{**E2025, "submission_closes_on": None}]
    assert lateness(no_close, period, at("2025-09-20")) is None, "an edition without a closing day takes everything"


def test_a_late_first_revision_is_accepted_and_marked_and_later_revisions_keep_the_mark():
    late = {"edition_id": "om-2025", "submission_closes_on": "2025-08-31", "received_on": "2025-09-01"}
    first = InitiativeSubmittedV1.model_validate(submission(SOURCE, "KF-1")["data"])
    d = initiatives.decide_submission(None, 0, first, initiatives.Received(SOURCE, "e1", "kafka"), at("2025-09-01"), "urn:registry", late=late)
    assert d.state["status"] == "submitted" and d.state["late"] == late
    second = InitiativeSubmittedV1.model_validate(submission(SOURCE, "KF-1", revision=2)["data"])
    d2 = initiatives.decide_submission(d.state, 1, second, initiatives.Received(SOURCE, "e2", "kafka"), at("2025-09-02"), "urn:registry", late=None)
    assert d2.state["late"] == late, "lateness is the first submission's"
    on_time = initiatives.decide_submission(None, 0, first, initiatives.Received(SOURCE, "e1", "kafka"), at("2025-06-01"), "urn:registry")
    assert on_time.state.get("late") is None
    assert all("late" not in e.event["data"] for e in d.events), "a curators' mark, not on the public topic"
