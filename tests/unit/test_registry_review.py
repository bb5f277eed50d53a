"""The stamp's rules as pure functions: review steps and the material change rule."""

from datetime import UTC, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from services.registry.domain import initiatives
from shared.refusals import Refused
from services.registry.domain.review import MATERIAL_FIELDS, ReviewStep, decide_review, material_changes, status_after_revision
from shared.decisions import Decision, NoChange
from shared.events.initiatives import InitiativeStatus, InitiativeSubmittedV1, ReviewDecision
from tests.platform import submission

NOW = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2025, 9, 3, 9, 0, tzinfo=UTC)
EMITTER = "urn:malmo:oppna:registry"
SOURCE = "urn:malmo:source:kf"


def sub(revision: int, **overrides) -> InitiativeSubmittedV1:
    return InitiativeSubmittedV1.model_validate(submission(SOURCE, "KF-1", revision=revision, **overrides)["data"])


def registered():
    d = initiatives.decide_submission(None, 0, sub(1), initiatives.Received(SOURCE, "e1", "kafka"), NOW, EMITTER)
    return d.state, 1


def take(state, version, decision, comment="ok", **kw):
    """The step taken: the new state, version and events; the decision's refusal (its outcome) raised."""
    d = decide_review(state, version, ReviewStep(ReviewDecision(decision), comment, "cur1", **kw), LATER, EMITTER)
    if isinstance(d, NoChange):
        if d.outcome is not None:
            raise d.outcome
        return state, version, []
    return d.state, version + 1, d.events


def approved():
    state, v = registered()
    state, v, _ = take(state, v, "in_review", "")
    state, v, _ = take(state, v, "approved", "Välkommen")
    return state, v


def revise(state, version, revision, **overrides):
    d = initiatives.decide_submission(state, version, sub(revision, **overrides), initiatives.Received(SOURCE, f"e{revision}", "kafka"), LATER, EMITTER)
    return d.state, version + 1, d.events


def test_approval_stamps_and_its_event_carries_the_review_for_lead_time():
    state, v = approved()
    assert state["status"] == "approved" and state["stamped"] is True
    assert state["review"] == {"decision": "approved", "comment": "Välkommen", "decided_at": LATER.isoformat(), "curator": "cur1"}
    assert [r["decision"] for r in state["reviews"]] == ["in_review", "approved"]


def test_each_step_emits_its_own_type_with_the_full_state():
    state, v = registered()
    state, v, [started] = take(state, v, "in_review", "")
    state, v, [rejected] = take(state, v, "rejected", "Utanför inriktningen")
    assert started.event["type"] == "se.malmo.oppna.initiative.review_started.v1"
    assert rejected.event["type"] == "se.malmo.oppna.initiative.rejected.v1"
    data = rejected.event["data"]
    assert data["status"] == "rejected" and data["stamped"] is False and data["version"] == 3
    assert data["review"]["comment"] == "Utanför inriktningen" and data["content"]["title"]["sv"]
    assert "reviews" not in data and "history" not in data and "queued_at" not in data


@pytest.mark.parametrize("status", ["submitted", "changes_requested", "rejected", "approved", "withdrawn"])
@pytest.mark.parametrize("decision", ["approved", "changes_requested", "rejected"])
def test_decisions_need_the_initiative_in_review(status, decision):
    state, v = registered()
    with pytest.raises(Refused) as e:
        take({**state, "status": status, "review": None}, v, decision, "skäl")
    assert e.value.status == 409 and e.value.code == "invalid_transition"


@pytest.mark.parametrize("decision", ["changes_requested", "rejected"])
def test_a_request_for_changes_or_a_rejection_needs_a_comment(decision):
    state, v = registered()
    state, v, _ = take(state, v, "in_review", "")
    with pytest.raises(Refused) as e:
        take(state, v, decision, "   ")
    assert (e.value.status, e.value.field) == (422, "comment")


def test_the_same_step_again_changes_nothing_and_a_stale_version_is_refused():
    state, v = approved()
    assert take(state, v, "approved", "Välkommen") == (state, v, [])
    with pytest.raises(Refused) as e:
        take(state, v, "approved", "Annan kommentar")
    assert e.value.code == "invalid_transition"
    fresh, fv = registered()
    with pytest.raises(Refused) as e:
        take(fresh, fv, "in_review", "", expected_version=fv + 1)
    assert e.value.code == "stale_version"


def test_a_refusal_is_returned_as_the_outcome_and_writes_nothing():
    state, v = registered()
    d = decide_review(state, v, ReviewStep(ReviewDecision.approved, "ok", "cur1"), LATER, EMITTER)
    assert isinstance(d, NoChange) and isinstance(d.outcome, Refused) and d.outcome.code == "invalid_transition"
    missing = decide_review(None, 0, ReviewStep(ReviewDecision.in_review, "", "cur1"), LATER, EMITTER)
    assert isinstance(missing, NoChange) and (missing.outcome.status, missing.outcome.code) == (404, "not_found")
    assert isinstance(decide_review(state, v, ReviewStep(ReviewDecision.in_review, "", "cur1"), LATER, EMITTER), Decision)


def test_a_typo_in_the_description_keeps_the_stamp_a_new_title_lifts_it():
    state, v = approved()
    typo, v2, [event] = revise(state, v, 2, description={"sv": "Rättad text"})
    assert typo["status"] == "approved" and typo["stamped"] is True
    assert event.event["type"] == "se.malmo.oppna.initiative.revised.v1" and event.event["data"]["stamped"] is True
    retitled, _, _ = revise(typo, v2, 3, title={"sv": "Något annat"})
    assert retitled["status"] == "submitted" and retitled["stamped"] is False
    assert retitled["queued_at"] == LATER.isoformat(), "back in the queue from now"


def test_raising_the_requested_budget_lifts_the_stamp_and_own_funding_keeps_it():
    d = initiatives.decide_submission(None, 0, sub(1, budget={"requested_sek": 40_000, "own_funding_sek": 10_000}), initiatives.Received(SOURCE, "e1", "kafka"), NOW, EMITTER)
    state, v, _ = take(d.state, 1, "in_review", "")
    state, v, _ = take(state, v, "approved", "Välkommen")
    more_own, v2, _ = revise(state, v, 3, budget={"requested_sek": 40_000, "own_funding_sek": 60_000})
    assert more_own["status"] == "approved" and more_own["stamped"] is True, "the organiser paying more is no reason to review"
    raised, _, [event] = revise(more_own, v2, 4, budget={"requested_sek": 900_000, "own_funding_sek": 60_000})
    assert raised["status"] == "submitted" and raised["stamped"] is False, "40,000 → 900,000 SEK goes back to review"
    assert event.event["data"]["stamped"] is False


def test_changes_requested_goes_back_to_the_queue_on_any_revision_and_rejected_stays():
    state, v = registered()
    state, v, _ = take(state, v, "in_review", "")
    asked, av, _ = take(state, v, "changes_requested", "Lägg till tider")
    answered, _, _ = revise(asked, av, 2, links=["https://example.org/program"])
    assert answered["status"] == "submitted"
    rejected, rv, _ = take(state, v, "rejected", "Nej")
    assert revise(rejected, rv, 2, title={"sv": "Nytt försök"})[0]["status"] == "rejected"


CONTENT = submission(SOURCE, "KF-1")["data"]
changes = st.fixed_dictionaries({}, optional={
    "title": st.just({"sv": "Ny titel"}),
    "themes": st.just(["human_rights"]),
    "period": st.just({"start": "2026-01-01", "end": "2026-01-02"}),
    "organizer": st.just({"kind": "political", "name": "Annan"}),
    "description": st.just({"sv": "Ny beskrivning"}),
    "summary": st.just({"sv": "Ny sammanfattning"}),
    "links": st.just(["https://example.org/"]),
    "budget": st.just({"requested_sek": 1}),
    "districts": st.just(["hyllie"]),
})


@given(changes)
def test_the_stamp_stays_exactly_when_no_approved_field_changes(change):
    after = {**CONTENT, **change}
    material = [f for f in MATERIAL_FIELDS if f in change]
    assert material_changes(CONTENT, after) == material
    expected = "approved" if not material else "submitted"
    assert status_after_revision(InitiativeStatus.approved.value, CONTENT, after) == expected


@given(st.permutations(["democracy", "participation", "inclusion"]))
def test_reordering_themes_is_no_material_change(themes):
    before = {**CONTENT, "themes": ["democracy", "participation", "inclusion"]}
    assert material_changes(before, {**before, "themes": list(themes)}) == []


@given(st.lists(st.sampled_from(["in_review", "approved", "changes_requested", "rejected"]), max_size=8))
def test_stamped_is_true_exactly_when_approved_whatever_steps_are_tried(steps):
    state, v = registered()
    for decision in steps:
        try:
            state, v, events = take(state, v, decision, "kommentar")
        except Refused:
            continue
        for e in events:
            assert e.event["data"]["stamped"] == (e.event["data"]["status"] == "approved")
        assert state["stamped"] == (state["status"] == "approved")


commands = st.one_of(
    st.sampled_from(["in_review", "approved", "changes_requested", "rejected"]),
    st.sampled_from(["typo", "retitle", "withdraw"]),
)


@given(st.lists(commands, max_size=12))
@example(["in_review", "retitle", "approved", "typo"])  # the typo revision must carry the new title too
def test_any_mix_of_revisions_and_steps_keeps_the_stamp_honest_and_versions_growing(mix):
    from shared.events.initiatives import InitiativeWithdrawnV1

    state, v = registered()
    revision, versions = 1, [1]
    content: dict = {}  # what the publisher's system holds now: each revision sends all of it
    for c in mix:
        if c in ("typo", "retitle", "withdraw"):
            revision += 1
            received = initiatives.Received(SOURCE, f"e{revision}", "kafka")
            if c == "withdraw":
                d = initiatives.decide_withdrawal(state, v, InitiativeWithdrawnV1(external_id="KF-1", revision=revision), received, LATER, EMITTER)
            else:
                content |= {"description": {"sv": f"text {revision}"}} if c == "typo" else {"title": {"sv": f"titel {revision}"}}
                before = state["status"]
                d = initiatives.decide_submission(state, v, sub(revision, **content), received, LATER, EMITTER)
                if before == "approved":
                    assert d.state["status"] == ("approved" if c == "typo" else "submitted")
            state, v, events = d.state, v + 1, d.events
        else:
            try:
                state, v, events = take(state, v, c, "kommentar")
            except Refused:
                continue
        versions += [e.event["data"]["version"] for e in events]
        assert state["stamped"] == (state["status"] == "approved")
    assert versions == sorted(set(versions)), "each change one event, versions only grow"
