"""The knowledge bank's search as a pure function: words match by their stems in Swedish and
English, every word must be found, and filters are equalities on the report's codes."""

from services.scheduling.domain.knowledge import Asked, index_of, matches

REPORT = {
    "initiative_id": "i1", "edition_id": "om-2027", "themes": ["democracy"], "organizer_kind": "civil_society",
    "title": {"sv": "Samtal i Rosengård", "en": None},
    "content": {"what_happened": {"sv": "Föreningarna bjöd in ungdomarna till biblioteket.", "en": "The associations invited young people."},
                "worked": {"sv": "Workshopen", "en": None}, "districts": ["rosengard"], "target_groups": ["youth"],
                "partners": [{"name": "Rosengårds bibliotek", "kind": "administration", "source": "urn:malmo:source:bib"}],
                "materials": [{"title": "Samtalsguide", "url": "https://example.org/g.pdf"}]},
}
STEMS = index_of(REPORT)


def found(**asked) -> bool:
    return matches(REPORT, STEMS, Asked(**asked))


def test_a_word_is_found_in_another_form_of_it_in_either_language():
    assert found(q="förening ungdom bibliotek") and found(q="samtalen") and found(q="workshop") and found(q="association invite")
    assert not found(q="förening fotboll"), "every word asked must be found"


def test_filters_are_equalities_on_the_reports_codes_and_partners():
    assert found(theme="democracy", district="rosengard", target_group="youth", organizer_kind="civil_society", edition="om-2027")
    assert found(partner="rosengårds") and found(partner="urn:malmo:source:bib")
    for wrong in ({"theme": "anti_racism"}, {"district": "centrum"}, {"target_group": "seniors"}, {"organizer_kind": "administration"},
                  {"edition": "om-2026"}, {"partner": "kulturhuset"}):
        assert not found(**wrong), wrong
