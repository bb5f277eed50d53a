"""The registry's vocabulary decisions tell each vocabulary's full state, once per change."""

from datetime import UTC, datetime

from services.registry.domain.vocabularies import SEED, TermIn, decide_seed, decide_term
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
    assert "ar" not in decision.state["terms"]["democracy"]["labels"], "no empty Arabic label where none was given"
