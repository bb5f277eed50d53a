"""Outcome reports' pure decisions: who may file when, revisions, review steps, links, events."""

from datetime import UTC, datetime, timedelta

from services.registry.domain.reports import (
    Filing, ReportDecision, ReportStep, decide_filing, decide_report_review, event_id, refusal_to_file, view,
)
from services.registry.domain.session_starts import decide_session_seen, first_start
from shared.decisions import Decision, NoChange
from shared.envelope import Envelope
from shared.events.reports import ReportStateV1
from shared.refusals import Refused

NOW = datetime(2026, 10, 20, 12, tzinfo=UTC)
EMITTER = "urn:malmo:oppna:registry"
SOURCE = "urn:malmo:source:u"
INITIATIVE = {"initiative_id": "i-1", "source": SOURCE, "external_id": "E-1", "status": "approved", "stamped": True,
              "edition_id": "2026", "content": {"title": {"sv": "Samtal", "en": "Talks"}, "themes": ["democracy"]}}
CONTENT = {"what_happened": {"sv": "Vi samtalade."}, "worked": {"sv": "Fika"}, "participants": 40, "spent_sek": 1200,
           "target_groups": ["youth"], "districts": ["rosengard"], "partners": [{"name": "Föreningen X", "kind": "civil_society"}],
           "materials": [{"title": "Metod", "url": "https://example.org/m"}]}


def filed(revision=1, content=CONTENT, state=None, version=0):
    return decide_filing(state, version, Filing(INITIATIVE, revision, content, "rest"), NOW, EMITTER)


def step(decision, comment="", links=None, version=None):
    return ReportStep(ReportDecision(decision), comment, "curator-1", version, links or {})


def event_data(pending) -> ReportStateV1:
    return ReportStateV1.model_validate(Envelope.model_validate(pending.event).data)


def test_only_the_own_publisher_files_for_a_stamped_initiative_after_its_first_session_began():
    began = NOW - timedelta(hours=1)
    assert refusal_to_file(INITIATIVE, SOURCE, began, NOW) is None
    cases = [
        (None, SOURCE, began, 404, "not_found"),
        (INITIATIVE, "urn:malmo:source:other", began, 403, "not_your_initiative"),
        ({**INITIATIVE, "stamped": False, "status": "in_review"}, SOURCE, began, 409, "not_stamped"),
        (INITIATIVE, SOURCE, None, 409, "no_session_held_yet"),
        (INITIATIVE, SOURCE, NOW + timedelta(days=2), 409, "no_session_held_yet"),
    ]
    for initiative, source, start, status, code in cases:
        r = refusal_to_file(initiative, source, start, NOW)
        assert isinstance(r, Refused) and (r.status, r.field, r.code) == (status, "initiative_id", code), code


def test_a_first_report_is_submitted_and_its_event_carries_figures_but_no_text():
    d = filed()
    assert isinstance(d, Decision) and d.state["status"] == "submitted" and d.state["queued_at"] == NOW.isoformat()
    assert d.state["title"] == INITIATIVE["content"]["title"] and d.state["edition_id"] == "2026"
    [pending] = d.events
    assert pending.topic == "registry.reports.v1" and pending.event["id"] == event_id("i-1", 1)
    data = event_data(pending)
    assert data.content is None and data.title is None and data.published_at is None
    assert data.figures.participants == 40 and data.figures.partner_kinds == ["civil_society"]
    assert (data.version, data.revision, data.status) == (1, 1, "submitted")


def test_a_lower_or_equal_revision_changes_nothing():
    state = filed(2).state
    assert isinstance(filed(2, state=state, version=1), NoChange)
    assert isinstance(filed(1, state=state, version=1), NoChange)


def test_publish_then_a_revision_takes_it_off_the_record_until_published_again():
    state = filed().state
    d = decide_report_review(state, 1, step("published"), NOW, EMITTER)
    assert d.state["status"] == "published" and d.state["published_at"] == NOW.isoformat() and d.state["queued_at"] is None
    data = event_data(d.events[0])
    assert data.content.participants == 40 and data.title.sv == "Samtal" and data.published_at is not None
    assert view(d.state, 2, owns=False)["content"]["what_happened"]["sv"] == "Vi samtalade."

    again = filed(2, {**CONTENT, "participants": 45}, state=d.state, version=2)
    assert again.state["status"] == "submitted" and again.state["published_at"] is None
    assert event_data(again.events[0]).content is None
    assert view(again.state, 3, owns=False) is None and view(again.state, 3, owns=True)["revisions"][1]["revision"] == 2


def test_changes_requested_needs_a_comment_and_a_revision_goes_back_to_submitted():
    state = filed().state
    refused = decide_report_review(state, 1, step("changes_requested"), NOW, EMITTER)
    assert isinstance(refused.outcome, Refused) and refused.outcome.field == "comment"
    d = decide_report_review(state, 1, step("changes_requested", "Lägg till siffror"), NOW, EMITTER)
    assert d.state["status"] == "changes_requested" and d.state["reviews"][-1]["revision"] == 1
    assert isinstance(decide_report_review(d.state, 2, step("changes_requested", "Lägg till siffror"), NOW, EMITTER), NoChange)
    assert filed(2, state=d.state, version=2).state["status"] == "submitted"


def test_steps_from_the_wrong_status_or_an_old_version_are_refused():
    state = filed().state
    published = decide_report_review(state, 1, step("published"), NOW, EMITTER).state
    r = decide_report_review(published, 2, step("in_review"), NOW, EMITTER).outcome
    assert (r.status, r.field, r.code) == (409, "status", "invalid_transition")
    r = decide_report_review(state, 1, step("published", version=7), NOW, EMITTER).outcome
    assert (r.status, r.field, r.code) == (409, "version", "stale_version")
    r = decide_report_review(None, 0, step("published"), NOW, EMITTER).outcome
    assert (r.status, r.code) == (404, "not_found")


def test_partners_are_linked_by_index_and_keep_their_link_through_a_revision():
    state = filed().state
    d = decide_report_review(state, 1, step("published", links={"0": "urn:malmo:source:x"}), NOW, EMITTER)
    assert d.state["content"]["partners"][0]["source"] == "urn:malmo:source:x"
    assert event_data(d.events[0]).content.partners[0].source == "urn:malmo:source:x"
    r = decide_report_review(state, 1, step("published", links={"3": "urn:malmo:source:x"}), NOW, EMITTER).outcome
    assert (r.status, r.field, r.code) == (422, "partner_sources.3", "no_such_partner")
    relinked = decide_report_review(d.state, 2, step("published", links={"0": ""}), NOW, EMITTER)
    assert "source" not in relinked.state["content"]["partners"][0], "the same step with a link changed is taken"
    revised = filed(2, {**CONTENT, "spent_sek": 1500}, state=d.state, version=2)
    assert revised.state["content"]["partners"][0]["source"] == "urn:malmo:source:x"
    assert "source" not in revised.state["revisions"][-1]["content"]["partners"][0], "the revision is kept as sent"


def test_the_sessions_copy_keeps_the_newest_version_and_the_first_start_of_those_held():
    def seen(state, sid, version, starts, status="published"):
        d = decide_session_seen(state, 0, "i-1", sid, {"version": version, "starts_at": starts.isoformat(), "status": status})
        return d.state if isinstance(d, Decision) else state

    state = seen(None, "s1", 2, NOW)
    state = seen(state, "s2", 1, NOW - timedelta(days=1))
    assert first_start(state) == NOW - timedelta(days=1)
    state = seen(state, "s2", 2, NOW - timedelta(days=1), status="cancelled")
    assert first_start(state) == NOW
    assert seen(state, "s1", 1, NOW - timedelta(days=9)) == state, "an older version changes nothing"
    assert first_start(None) is None and first_start(seen(None, "s3", 1, NOW, "draft")) is None
