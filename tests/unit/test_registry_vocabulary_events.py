"""The registry's vocabulary decisions tell each vocabulary's full state, once per change."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from services.registry.domain.vocabularies import SEED, TermIn, check_term, decide_seed, decide_term
from shared.decisions import NoChange
from shared.envelope import Envelope, parse_data
from shared.events.vocabularies import VocabularyChangedV1

NOW = datetime(2025, 9, 1, tzinfo=UTC)
SOURCE = "urn:malmo:oppna:registry"


def told(decision) -> list[tuple[str, VocabularyChangedV1, str]]:
    out = []
    for pending in decision.events:
        envelope = Envelope.model_validate(pending.event)
        out.append((pending.topic, parse_data(envelope, VocabularyChangedV1), envelope.subject))
    return out


def test_a_fresh_vocabulary_is_seeded_and_told_once():
    decision = decide_seed(None, 0, "themes", NOW, SOURCE)
    [(topic, data, subject)] = told(decision)
    assert (topic, subject, data.vocabulary, data.version) == ("registry.vocabularies.v1", "themes", "themes", 1)
    assert {c: t.model_dump(exclude_none=True) for c, t in data.terms.items()} == SEED["themes"]
    assert decide_seed(decision.state, 1, "themes", NOW, SOURCE) == NoChange(), "told already: nothing again"


def test_a_vocabulary_curators_changed_is_never_reseeded():
    changed = {"vocabulary": "districts", "terms": {**SEED["districts"], "tygelsjo": {"labels": {"sv": "Tygelsjö", "en": "Tygelsjö"}, "retired": False}}}
    assert decide_seed(changed, 3, "districts", NOW, SOURCE) == NoChange(), "a start keeps curators' terms and tells nothing"


def test_a_curators_term_is_told_with_the_whole_vocabulary_and_the_next_version():
    state = decide_seed(None, 0, "themes", NOW, SOURCE).state
    term = TermIn.model_validate({"labels": {"sv": "Civilkurage", "en": "Civic courage"}})
    [(_, data, subject)] = told(decide_term(state, 1, "civic_courage", term, NOW, SOURCE))
    assert (subject, data.version) == ("themes", 2)
    assert data.terms["civic_courage"].labels == {"sv": "Civilkurage", "en": "Civic courage"} and "democracy" in data.terms
    assert decide_term(state, 1, "democracy", TermIn.model_validate(SEED["themes"]["democracy"]), NOW, SOURCE) == NoChange()
    [(_, retired, _)] = told(decide_term(state, 1, "democracy", TermIn.model_validate({**SEED["themes"]["democracy"], "retired": True}), NOW, SOURCE))
    assert retired.terms["democracy"].retired


def test_a_curator_may_label_a_term_in_arabic_and_followers_are_told():
    state = decide_seed(None, 0, "themes", NOW, SOURCE).state
    term = TermIn.model_validate({"labels": {"sv": "Civilkurage", "en": "Civic courage", "ar": "الشجاعة المدنية"}})
    decision = decide_term(state, 1, "civic_courage", term, NOW, SOURCE)
    [(_, data, _)] = told(decision)
    assert data.terms["civic_courage"].labels["ar"] == "الشجاعة المدنية"
    assert decision.state["terms"]["democracy"]["labels"] == SEED["themes"]["democracy"]["labels"], "other terms as they were"


def test_every_seeded_term_is_labelled_in_every_platform_language():
    platform = [c for c, t in SEED["languages"].items() if t.get("platform")]
    unlabelled = [(name, code, lang) for name, terms in SEED.items() for code, term in terms.items() for lang in platform
                  if not term["labels"].get(lang)]
    assert unlabelled == [], "a fresh platform shows every vocabulary in Swedish, English and Arabic"


def test_the_seeded_languages_name_themselves_and_swedish_english_arabic_are_the_platforms():
    languages = SEED["languages"]
    assert all(term.get("endonym") for term in languages.values()), "every language has its name in itself"
    assert [c for c, t in languages.items() if t.get("platform")] == ["sv", "en", "ar"]
    assert {c for c, t in languages.items() if t.get("direction") == "rtl"} == {"ar", "fa", "prs", "yi"}
    assert (languages["ar"]["endonym"], languages["so"]["endonym"], languages["sr"]["endonym"]) == ("العربية", "Soomaali", "Српски")
    [(_, data, _)] = told(decide_seed(None, 0, "languages", NOW, SOURCE))
    assert (data.terms["ar"].endonym, data.terms["ar"].direction, data.terms["ar"].platform) == ("العربية", "rtl", True)
    assert (data.terms["fa"].direction, data.terms["fa"].platform, data.terms["de"].direction) == ("rtl", None, None)


def test_a_curator_makes_a_fourth_language_a_platform_language_and_followers_are_told():
    state = decide_seed(None, 0, "languages", NOW, SOURCE).state
    term = TermIn.model_validate({**SEED["languages"]["fa"], "platform": True})
    [(_, data, _)] = told(decide_term(state, 1, "fa", term, NOW, SOURCE))
    assert (data.version, data.terms["fa"].platform, data.terms["fa"].endonym) == (2, True, "فارسی")


def test_labels_in_any_language_of_the_languages_vocabulary_are_taken():
    term = TermIn.model_validate({"labels": {"sv": "Civilkurage", "en": "Civic courage", "fa": "شجاعت مدنی", "so": "Geesinimo"}})
    assert check_term("themes", "civic_courage", term, SEED["languages"]) == []
    state = decide_seed(None, 0, "themes", NOW, SOURCE).state
    [(_, data, _)] = told(decide_term(state, 1, "civic_courage", term, NOW, SOURCE))
    assert data.terms["civic_courage"].labels == {"sv": "Civilkurage", "en": "Civic courage", "fa": "شجاعت مدنی", "so": "Geesinimo"}


def test_a_label_in_an_unknown_language_and_a_languages_field_elsewhere_are_refused_by_field():
    term = TermIn.model_validate({"labels": {"sv": "Civilkurage", "en": "Civic courage", "xx": "?"}, "endonym": "Civic", "platform": True})
    reasons = check_term("themes", "civic_courage", term, SEED["languages"])
    assert [(r.field, r.code) for r in reasons] == [("endonym", "languages_only"), ("platform", "languages_only"),
                                                    ("labels.xx", "unknown_language")]
    new = TermIn.model_validate({"labels": {"sv": "xhosa", "en": "Xhosa", "xh": "isiXhosa"}, "endonym": "isiXhosa", "direction": "ltr"})
    assert check_term("languages", "xh", new, SEED["languages"]) == [], "a new language may be labelled in itself"


def test_a_label_must_be_text():
    with pytest.raises(ValidationError):
        TermIn.model_validate({"labels": {"sv": "Civilkurage", "en": "Civic courage", "ar": ""}})
    with pytest.raises(ValidationError):
        TermIn.model_validate({"labels": {"sv": "Civilkurage"}})
    with pytest.raises(ValidationError):
        TermIn.model_validate({"labels": {"sv": "a", "en": "b"}, "direction": "up"})
