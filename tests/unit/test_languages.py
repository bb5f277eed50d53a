"""Which languages a service offers, which one a reader gets, and which text a reader reads."""

from shared.languages import SWEDISH, Language, chosen_language, in_language, platform_languages, translation_codes
from shared.vocabularies import VocabularyCopies


def term(sv: str, endonym: str | None = None, direction: str | None = None, platform: bool | None = None, retired=False) -> dict:
    return {"labels": {"sv": sv}, "retired": retired, "endonym": endonym, "direction": direction, "platform": platform}


LANGUAGES = {
    "en": term("engelska", "English", platform=True),
    "so": term("somaliska", "Soomaali"),
    "ar": term("arabiska", "العربية", "rtl", True),
    "fa": term("persiska", "فارسی", "rtl", True),
    "sv": term("svenska", "Svenska", platform=True),
    "pl": term("polska", "Polski", platform=True, retired=True),
}


def copies(languages: dict | None) -> VocabularyCopies:
    v = VocabularyCopies(store=None)  # the answers read memory only
    if languages is not None:
        v._take("languages", 1, languages)
    return v


ARABIC = Language("ar", "العربية", "rtl")
ENGLISH = Language("en", "English", "ltr")


def test_platform_languages_are_swedish_first_then_the_vocabularys_order():
    offered = platform_languages(copies(LANGUAGES), ["ar", "en", "sv", "fa", "pl", "so"])
    assert offered == [SWEDISH, ENGLISH, ARABIC, Language("fa", "فارسی", "rtl")]


def test_a_platform_language_without_the_services_translations_is_not_offered():
    assert platform_languages(copies(LANGUAGES), ["sv", "en", "ar"]) == [SWEDISH, ENGLISH, ARABIC], "no fa files: no Persian"
    assert platform_languages(copies(LANGUAGES), ["sv", "so"]) == [SWEDISH], "so is translated but not a platform language"
    assert platform_languages(copies(LANGUAGES), []) == [SWEDISH], "Swedish is the base: always offered"


def test_swedish_alone_while_the_vocabulary_is_not_known():
    assert platform_languages(copies(None), ["sv", "en", "ar"]) == [SWEDISH]


def test_a_term_without_endonym_is_named_by_its_own_label_and_reads_left_to_right():
    v = copies({"sv": term("svenska", "Svenska", platform=True), "de": {"labels": {"sv": "tyska", "de": "Deutsch"}, "platform": True}})
    assert platform_languages(v, ["sv", "de"])[1] == Language("de", "Deutsch", "ltr")


def test_lang_parameter_wins_when_offered():
    offered = [SWEDISH, ENGLISH, ARABIC]
    assert chosen_language("ar", "en", offered) == ARABIC
    assert chosen_language("AR", None, offered) == ARABIC
    assert chosen_language("fa", "en;q=0.5", offered) == ENGLISH, "not offered: the header decides"


def test_accept_language_q_values_and_region_tags():
    offered = [SWEDISH, ENGLISH, ARABIC]
    assert chosen_language(None, "ar-SE,en;q=0.8", offered) == ARABIC
    assert chosen_language(None, "en;q=0.3, ar-SE;q=0.9", offered) == ARABIC
    assert chosen_language(None, "fa-IR, en-GB;q=0.7, sv;q=0.5", offered) == ENGLISH
    assert chosen_language(None, "ar;q=0, en;q=0.1", offered) == ENGLISH, "q=0 refuses a language"
    assert chosen_language(None, "en;q=bogus, ar", offered) == ARABIC


def test_swedish_when_nothing_matches():
    offered = [SWEDISH, ENGLISH, ARABIC]
    assert chosen_language(None, None, offered) == SWEDISH
    assert chosen_language(None, "fa, de;q=0.5, *", offered) == SWEDISH
    assert chosen_language("xx", "", offered) == SWEDISH


def test_an_initiatives_text_falls_back_to_swedish_then_english_and_says_so():
    texts = {"sv": "Samtal om demokrati", "en": "Talk on democracy", "ar": "حوار حول الديمقراطية"}
    assert in_language(texts, "ar") == ("حوار حول الديمقراطية", "ar")
    assert in_language({"sv": "Samtal", "en": "Talk"}, "ar") == ("Samtal", "sv")
    assert in_language({"en": "Talk", "ar": ""}, "ar") == ("Talk", "en"), "an empty text is no text"
    assert in_language({"fa": "گفتگو"}, "ar") == (None, None)
    assert in_language(None, "sv") == (None, None)


def test_translation_codes_are_the_stems_of_the_files(tmp_path):
    for name in ("sv.json", "en.json", "ar.json", "_shared.json", "notes.txt"):
        (tmp_path / name).write_text("{}")
    assert translation_codes(tmp_path) == ["ar", "en", "sv"]


def test_the_seeded_vocabulary_offers_swedish_english_and_arabic():
    from services.registry.domain.vocabularies import SEED

    offered = platform_languages(copies(SEED["languages"]), ["sv", "en", "ar", "fa", "so"])
    assert offered == [SWEDISH, ENGLISH, ARABIC], "fa and so have files here but are not platform languages as seeded"


def test_a_fourth_language_is_data_only_the_curators_flag_reaches_every_follower():
    from datetime import UTC, datetime

    from services.registry.domain.vocabularies import SEED, TermIn, decide_seed, decide_term
    from shared.envelope import Envelope, parse_data
    from shared.events.vocabularies import VocabularyChangedV1

    now, source = datetime(2026, 1, 1, tzinfo=UTC), "urn:malmo:oppna:registry"
    state = decide_seed(None, 0, "languages", now, source).state
    flagged = decide_term(state, 1, "fa", TermIn.model_validate({**SEED["languages"]["fa"], "platform": True}), now, source)
    data = parse_data(Envelope.model_validate(flagged.events[0].event), VocabularyChangedV1)
    follower = copies(None)
    follower._take(data.vocabulary, data.version, {code: term.model_dump() for code, term in data.terms.items()})
    assert platform_languages(follower, ["sv", "en", "ar", "fa"])[-1] == Language("fa", "فارسی", "rtl")
