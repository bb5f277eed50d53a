"""Vocabulary checks, source decisions and search filters, as pure functions."""

from datetime import UTC, date, datetime

import pytest

from services.registry.adapters import search
from shared.refusals import Refused
from services.registry.domain.sources import NewKey, SourceChange, SourceIn, decide_add_key, decide_register, decide_revoke, may_publish, public_view
from services.registry.domain.vocabularies import SEED, TermIn, check_codes, decide_term
from shared.auth import hash_key
from shared.decisions import NoChange
from tests.platform import submission

NOW = datetime(2025, 9, 1, tzinfo=UTC)
CONTENT = submission("urn:malmo:source:x", "X-1")["data"]


def test_the_demo_and_test_data_use_only_seeded_codes():
    from deploy.local import demo_data  # noqa: F401 - imported for its events

    kafka, rest = demo_data.demo_events()
    for event in [*kafka, rest, submission("urn:malmo:source:x", "X-1")]:
        if event["type"].endswith("submitted.v1"):
            assert check_codes(event["data"], SEED, None) == [], event["data"]["external_id"]


def test_unknown_and_retired_codes_are_refused_naming_the_field():
    vocab = {**SEED, "themes": {**SEED["themes"], "old": {"labels": {"sv": "G", "en": "O"}, "retired": True}}}
    reasons = check_codes({**CONTENT, "themes": ["democracy", "old"], "districts": ["atlantis"]}, vocab, None)
    assert [(r.field, r.code) for r in reasons] == [("data.themes.1", "retired_code"), ("data.districts.0", "unknown_code")]
    assert check_codes({**CONTENT, "themes": ["old"]}, vocab, {"themes": ["old"]}) == [], "kept where it already was"


def test_seeded_vocabularies_have_swedish_and_english_labels_and_valid_codes():
    import re

    from services.registry.domain.vocabularies import CODE_PATTERN

    for name, terms in SEED.items():
        for code, term in terms.items():
            assert re.fullmatch(CODE_PATTERN[name], code), code
            TermIn.model_validate(term)
    assert {"sv", "en", "ar", "fa", "so", "bs", "pl", "tr", "ku", "ti", "uk"} <= set(SEED["languages"])


def test_setting_a_term_to_what_it_is_changes_nothing():
    term = TermIn.model_validate(SEED["themes"]["democracy"])
    state = {"vocabulary": "themes", "terms": SEED["themes"]}
    assert decide_term(state, 1, "democracy", term, NOW, "urn:malmo:oppna:registry") == NoChange()
    assert decide_term(state, 1, "democracy", TermIn(labels=term.labels, retired=True), NOW, "urn:malmo:oppna:registry").state["terms"]["democracy"]["retired"]


def source_state():
    data = SourceIn(source="urn:malmo:source:kf", kind="administration", name={"sv": "Kulturförvaltningen", "en": "Culture"})
    return decide_register(None, data, NewKey("k1", hash_key("om_k1_secret")), NOW).state


def test_a_registered_source_keeps_only_a_hash_and_shows_none():
    state = source_state()
    assert state["keys"][0]["sha256"] == hash_key("om_k1_secret") and "om_k1_secret" not in str(state)
    assert "sha256" not in str(public_view(state))
    again = decide_register(state, SourceIn(source="urn:malmo:source:kf", kind="other", name={"sv": "a", "en": "a"}), NewKey("k2", hash_key("x")), NOW)
    assert isinstance(again, NoChange) and isinstance(again.outcome, Refused) and again.outcome.status == 409


def test_revoking_is_idempotent_and_too_many_keys_are_refused():
    state = source_state()
    revoked = decide_revoke(state, "k1", NOW).state
    assert revoked["keys"][0]["revoked_at"] and decide_revoke(revoked, "k1", NOW) == NoChange()
    for i in range(4):
        state = decide_add_key(state, NewKey(f"n{i}", hash_key(f"om_n{i}_x")), NOW).state
    refused = decide_add_key(state, NewKey("n9", hash_key("om_n9_x")), NOW)
    assert isinstance(refused, NoChange) and isinstance(refused.outcome, Refused) and refused.outcome.code == "too_many_keys"


def test_only_a_registered_active_source_may_publish():
    assert may_publish(None, "urn:x").code == "unregistered_source"
    assert may_publish({**source_state(), "active": False}, "urn:x").code == "inactive_source"
    assert may_publish(source_state(), "urn:x") is None
    assert SourceChange(active=False).model_dump(exclude_none=True) == {"active": False}


def test_filters_become_one_query_and_period_overlap_compares_iso_dates():
    q = search.query_of(search.Filters(theme="democracy", district="hyllie", period_from=date(2025, 10, 1), period_to=date(2025, 10, 31)))
    assert q == {
        "state.content.themes": "democracy",
        "state.content.districts": "hyllie",
        "state.content.period.start": {"$lte": "2025-10-31"},
        "state.content.period.end": {"$gte": "2025-10-01"},
    }


@pytest.mark.parametrize("text, hit", [("DEMOKRATISAMTAL", True), ("democracy talk", True), ("rosengård samtal", True), ("hyllie", False)])
def test_free_text_matches_every_word_in_any_language_case_folded(text, hit):
    state = {"external_id": "X-1", "content": CONTENT}
    assert search.matches_text(state, text) is hit
