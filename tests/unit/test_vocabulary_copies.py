"""The follower's answers from its copy of the registry's vocabularies, as pure reads."""

from services.registry.domain.vocabularies import SEED
from shared.vocabularies import VocabularyCopies


def copies(**terms) -> VocabularyCopies:
    v = VocabularyCopies(store=None)  # the answers read memory only
    for name, t in terms.items():
        v._take(name, 1, t)
    return v


def test_a_label_is_in_the_asked_language_else_swedish_else_the_code_made_readable():
    v = copies(themes={**SEED["themes"], "civic_courage": {"labels": {"sv": "Civilkurage", "en": "Civic courage", "ar": "الشجاعة المدنية"}, "retired": False},
                       "dialogue": {"labels": {"sv": "Dialog", "en": "Dialogue"}, "retired": False}})
    assert v.label("themes", "human_rights", "en") == "Human rights"
    assert v.label("themes", "dialogue", "ar") == "Dialog", "no Arabic label: the Swedish one"
    assert v.label("themes", "civic_courage", "ar") == "الشجاعة المدنية"
    assert v.label("accessibility", "wheelchair_access", "sv") == "Wheelchair access", "not followed yet: words, not a code"


def test_unknown_and_retired_codes_are_refused_in_order():
    v = copies(themes={**SEED["themes"], "old": {"labels": {"sv": "Gammal", "en": "Old"}, "retired": True}})
    assert v.refused("themes", ["democracy", "astrology", "old"]) == [(1, "astrology", "unknown_code"), (2, "old", "retired_code")]
    assert v.refused("districts", ["rosengard"]) == [(0, "rosengard", "unknown_code")], "nothing followed: nothing offered"


def test_an_older_version_changes_nothing():
    v = copies(themes=SEED["themes"])
    v._take("themes", 1, {})
    assert "democracy" in v.terms["themes"] and v.changes == 1
