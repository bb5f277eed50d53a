"""Grants decided purely: the sum never passes the budget; refusals name the field and what remains."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from services.registry.domain.grants import GrantRequest, book_of, check_initiative, decide_grant
from shared.decisions import Decision, NoChange
from shared.refusals import Refused

NOW = datetime(2025, 9, 1, 10, tzinfo=UTC)
EDITION = {"edition_id": "om-2025", "budget_sek": 100_000}


def apply(state, version, initiative_id, amount, edition=EDITION):
    return decide_grant(state, version, edition, GrantRequest(initiative_id, amount, "k1"), NOW, "urn:registry")


def test_a_grant_is_kept_and_told_as_the_whole_book():
    d = apply(None, 0, "i1", 60_000)
    assert isinstance(d, Decision) and d.outcome == {"i1": 60_000}
    d2 = apply(d.state, 1, "i2", 40_000)
    assert d2.outcome == {"i1": 60_000, "i2": 40_000}
    event = d2.events[0].event
    assert d2.events[0].topic == "registry.grants.v1"
    assert event["data"]["granted_sek"] == 100_000 and event["data"]["version"] == 2 and event["subject"] == "om-2025"
    assert event["id"] == apply(d.state, 1, "i2", 40_000).events[0].event["id"]  # the same after a retry


def test_over_budget_is_refused_on_amount_with_what_remains():
    d = apply(None, 0, "i1", 70_000)
    refused = apply(d.state, 1, "i2", 30_001)
    assert isinstance(refused, NoChange) and isinstance(refused.outcome, Refused)
    assert (refused.outcome.status, refused.outcome.field, refused.outcome.code) == (409, "amount_sek", "over_budget")
    assert refused.outcome.facts["remaining_sek"] == 30_000
    # raising one's own grant counts what it had already: 70,000 → 100,000 fits
    assert isinstance(apply(d.state, 1, "i1", 100_000), Decision)


def test_the_same_amount_again_changes_nothing_and_zero_withdraws():
    d = apply(None, 0, "i1", 10_000)
    assert isinstance(apply(d.state, 1, "i1", 10_000), NoChange)
    w = apply(d.state, 1, "i1", 0)
    assert isinstance(w, Decision) and w.outcome == {} and w.events[0].event["data"]["granted"] == {}


def test_lowering_a_grant_is_allowed_when_the_budget_shrank():
    d = apply(None, 0, "i1", 90_000)
    smaller = {**EDITION, "budget_sek": 50_000}
    assert isinstance(apply(d.state, 1, "i1", 80_000, smaller), Decision)
    assert isinstance(apply(d.state, 1, "i1", 95_000, smaller).outcome, Refused)


def test_the_initiative_must_exist_be_of_the_edition_and_stamped():
    req = GrantRequest("i1", 1000, "k1")
    assert check_initiative(None, "om-2025", req).status == 404
    other = check_initiative({"edition_id": "om-2024", "stamped": True}, "om-2025", req)
    assert (other.status, other.field, other.code) == (409, "initiative_id", "other_edition")
    waiting = check_initiative({"edition_id": "om-2025", "stamped": False, "status": "in_review"}, "om-2025", req)
    assert (waiting.status, waiting.code) == (409, "not_approved")
    assert check_initiative({"edition_id": "om-2025", "stamped": False}, "om-2025", GrantRequest("i1", 0, "k1")) is None
    assert check_initiative({"edition_id": "om-2025", "stamped": True}, "om-2025", req) is None


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 60_000)), max_size=30))
def test_no_sequence_of_changes_passes_the_budget(changes):
    state, version = None, 0
    for iid, amount in changes:
        d = apply(state, version, iid, amount)
        if isinstance(d, Decision):
            state, version = d.state, version + 1
        assert book_of("om-2025", 100_000, state, version)["granted_sek"] <= 100_000
