"""The console shows words, not codes: a field's name and a code's label in the page's language,
the code itself only where nobody has words for it."""

import json
from pathlib import Path

from services.console.usecases.initiatives import changes, current_fields
from services.console.usecases.words import Words

LABELS = Path(__file__).resolve().parents[2] / "services" / "console" / "labels"
VOCABULARIES = {
    "themes": {"democracy": {"labels": {"sv": "Demokrati", "en": "Democracy"}}, "inclusion": {"labels": {"sv": "Inkludering"}}},
    "districts": {"sodra_innerstaden": {"labels": {"sv": "Södra innerstaden", "en": "Södra innerstaden"}}},
    "languages": {"sv": {"labels": {"sv": "svenska", "en": "Swedish"}}, "en": {"labels": {"sv": "engelska", "en": "English"}}},
}
CONTENT = {"title": {"sv": "Samtal", "en": "Talk"}, "organizer": {"kind": "civil_society", "name": "Föreningen"}, "themes": ["democracy", "inclusion"],
           "origin": "new", "districts": ["sodra_innerstaden", "nowhere"], "budget": {"requested_sek": 30000}}


def _words(lang: str) -> Words:
    return Words(json.loads((LABELS / f"{lang}.json").read_text(encoding="utf-8")), VOCABULARIES, lang)


def test_the_initiative_reads_in_words_in_each_language():
    sv, en = dict(current_fields(CONTENT, _words("sv").value)), dict(current_fields(CONTENT, _words("en").value))
    assert sv["themes"] == "Demokrati, Inkludering" and en["themes"] == "Democracy, Inkludering"  # no English label: the Swedish
    assert sv["organizer.kind"] == "Civilsamhälle" and en["origin"] == "New"
    assert sv["districts"] == "Södra innerstaden, nowhere", "a code without words is shown as it is"
    assert [f for f, _ in current_fields(CONTENT)][:2] == ["title.sv", "title.en"], "in the content's order"


def test_fields_are_named_with_their_language():
    sv, en = _words("sv"), _words("en")
    assert sv.field("title.sv") == "Titel (svenska)" and en.field("title.en") == "Title (English)"
    assert sv.field("budget.requested_sek") == "Sökt belopp (kr)" and en.field("organizer.kind") == "Kind of organiser"
    assert en.field("something.new") == "something.new"


def test_what_changed_is_told_in_words():
    after = {**CONTENT, "themes": ["democracy"]}
    [change] = changes(CONTENT, after, _words("sv").value)
    assert change == {"field": "themes", "before": "Demokrati, Inkludering", "after": "Demokrati"}
