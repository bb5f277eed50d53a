"""The vocabulary term form: a label field per platform language, a language's own fields, and
what is sent to the registry."""

from services.console.api.pages import LABELS
from services.console.usecases.terms import label_headings, label_languages, term_body, term_chosen, term_fields
from services.registry.domain.vocabularies import SEED

VOCABULARIES = {**SEED, "languages": {**SEED["languages"], "fa": {**SEED["languages"]["fa"], "platform": True}}}
LANGUAGES = label_languages(VOCABULARIES)


def test_every_platform_language_has_a_label_field_swedish_first():
    assert [x.code for x in LANGUAGES] == ["sv", "en", "ar", "fa"]
    assert label_languages({}) == label_languages({"themes": {}})[:1], "unknown vocabulary: Swedish alone"
    headings = label_headings(LABELS["en"], LANGUAGES, VOCABULARIES, "en")
    assert headings == {"voc_label_sv": "Label (Swedish)", "voc_label_en": "Label (English)", "voc_label_ar": "Label (Arabic)",
                        "voc_label_fa": "Label (Persian)"}
    assert label_headings(LABELS["sv"], LANGUAGES, VOCABULARIES, "sv")["voc_label_ar"] == "Etikett (arabiska)"


def test_a_language_terms_values_fill_the_form():
    chosen = term_chosen("languages", "ar", SEED["languages"]["ar"], LANGUAGES)
    assert chosen["voc_label_sv"] == ["arabiska"] and chosen["voc_label_fa"] == [""]
    assert (chosen["voc_endonym"], chosen["voc_direction"], chosen["voc_platform"]) == (["العربية"], ["rtl"], ["true"])
    assert "voc_platform" not in term_chosen("languages", "so", SEED["languages"]["so"], LANGUAGES)


def test_the_body_keeps_labels_the_form_does_not_show_and_leaves_out_empty_ones():
    current = {"labels": {"sv": "Demokrati", "en": "Democracy", "so": "Dimuqraadiyad", "ar": "old"}}
    form = {"voc_label_sv": "Demokrati", "voc_label_en": " Democracy ", "voc_label_ar": "الديمقراطية", "voc_label_fa": "", "voc_direction": ""}
    assert term_body(form, "themes", current, LANGUAGES) == {
        "labels": {"so": "Dimuqraadiyad", "sv": "Demokrati", "en": "Democracy", "ar": "الديمقراطية"}}
    assert term_body({}, "themes", {}, LANGUAGES) == {"labels": {"sv": "", "en": ""}}, "the registry says what is missing"


def test_a_language_term_sends_its_fields_and_unticking_takes_it_off_the_platform():
    form = {"voc_label_sv": "persiska", "voc_label_en": "Persian", "voc_endonym": "فارسی", "voc_direction": "rtl", "voc_platform": "true"}
    assert term_body(form, "languages", {}, LANGUAGES) | {"labels": None} == {"labels": None, "endonym": "فارسی", "direction": "rtl", "platform": True}
    assert term_body({**form, "voc_platform": ""}, "languages", {}, LANGUAGES)["platform"] is False
    assert term_body({**form, "voc_platform": "true"}, "themes", {}, LANGUAGES)["platform"] is True, "sent: the registry refuses it"
    assert "platform" not in term_body({"voc_label_sv": "x"}, "themes", {}, LANGUAGES)


def test_the_registrys_fields_map_to_the_forms():
    fields = term_fields(LANGUAGES)
    assert (fields["labels.ar"], fields["labels.fa"], fields["endonym"], fields["platform"]) == (
        "voc_label_ar", "voc_label_fa", "voc_endonym", "voc_platform")
