"""Messages wholly in the resident's language (issue 28): every category in every platform
language, the initiative's title by the fallback rule (reader → Swedish → English, saying so),
dates by CLDR, no vocabulary code and no missing-translation key; a fourth language is data only
(its template folder by ``TEMPLATE_DIRS`` and the vocabulary's ``platform`` flag)."""

import asyncio
import json
import re
import shutil

import pytest

from services.notifications import render as r
from services.notifications.settings import NotificationsSettings
from services.notifications.usecases.content import Contents
from services.registry.domain.vocabularies import SEED
from shared.events.notifications import Category

PLATFORM = [code for code, term in SEED["languages"].items() if term.get("platform")]
CATEGORIES = [c.value for c in Category]
URL = re.compile(r"https?://\S+")
KEY = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")  # what a missing translation key looks like (e.g. "unsubscribe_sms")
SV_AR = {**r.SAMPLE_SESSION, "title": {"sv": "Samtal om demokrati i Rosengård", "ar": "حوار حول الديمقراطية في روزنغورد"}}
SV_ONLY = {**r.SAMPLE_SESSION, "title": {"sv": "Samtal om demokrati i Rosengård"}}
PROPER_NAMES = ("Öppna Malmö", "Rosengårds bibliotek", "Amiralsgatan 35", "Stadskontoret")


def _codes() -> set[str]:
    """Vocabulary codes that are not themselves a word of any of their labels (``rosengard``, ``wheelchair_access``)."""
    out = set()
    for name, terms in SEED.items():
        for code, term in terms.items():
            words = " ".join(term["labels"].values()).lower()
            if name != "languages" and code not in re.findall(r"\w+", words):
                out.add(code)
    return out


def _parts(out: r.Rendered) -> dict[str, str]:
    text_of_html = re.sub(r"<[^>]+>", " ", out.html)
    return {"subject": out.subject, "text": out.text, "html": text_of_html, "sms": out.sms}


def test_the_seed_offers_swedish_english_and_arabic():
    assert {"sv", "en", "ar"} <= set(PLATFORM) and set(PLATFORM) <= set(r.languages())


def test_every_language_has_every_label_and_template():
    keys = set(r.labels("sv"))
    for lang in r.languages():
        assert set(r.labels(lang)) == keys, (lang, keys ^ set(r.labels(lang)))
        for category in CATEGORIES:
            assert (r.TEMPLATES / lang / f"{category}.j2").exists(), (lang, category)


@pytest.mark.parametrize("lang", PLATFORM)
@pytest.mark.parametrize("category", CATEGORIES)
def test_no_message_shows_a_vocabulary_code_or_a_translation_key(category, lang):
    codes = _codes()
    for session in (r.SAMPLE_SESSION, SV_ONLY):
        ctx = r.sample_context(category, lang, session=session)
        for part, text in _parts(r.render(category, lang, ctx)).items():
            words = set(re.findall(r"\w+", URL.sub(" ", text)))
            assert not words & codes, (category, lang, part, words & codes)
            assert not KEY.findall(URL.sub(" ", text)), (category, lang, part, KEY.findall(URL.sub(" ", text)))
            assert "Undefined" not in text and "None" not in text.split(), (category, lang, part)


def _latin_words(text: str) -> list[str]:
    text = URL.sub(" ", text)
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    return re.findall(r"[A-Za-zÅÄÖåäöÉé]{2,}", text)


@pytest.mark.parametrize("category", sorted(set(CATEGORIES) - {"organizer_decision", "report_reminder"}))
def test_an_arabic_message_for_an_initiative_in_swedish_and_arabic_is_wholly_arabic(category):
    ctx = r.sample_context(category, "ar", session=SV_AR)
    if ctx.get("reason"):
        ctx["reason"] = "مرض"  # the scheduler's own words, in Arabic here
    out = r.render(category, "ar", ctx)
    for part, text in _parts(out).items():
        assert "حوار حول الديمقراطية في روزنغورد" in text or part == "subject" or category == "subscription_confirmation", (category, part)
        assert "Samtal" not in text, (category, part)
        assert not _latin_words(text), (category, part, _latin_words(text))
    assert out.language == "ar" and 'dir="rtl"' in out.html


def test_an_arabic_message_says_the_title_is_in_swedish():
    out = r.render("reminder", "ar", r.sample_context("reminder", "ar", session=SV_ONLY))
    for text in (out.subject, out.text, out.sms):
        assert "Samtal om demokrati i Rosengård (باللغة السويدية)" in text
    english = r.render("reminder", "en", r.sample_context("reminder", "en", session=SV_ONLY))
    assert "Samtal om demokrati i Rosengård (in Swedish)" in english.subject
    swedish = r.render("reminder", "sv", r.sample_context("reminder", "sv", session=SV_ONLY))
    assert "(på" not in swedish.text  # Swedish readers read the Swedish title: nothing to say
    only_en = {**r.SAMPLE_SESSION, "title": {"en": "Talk about democracy"}}
    assert "Talk about democracy (på engelska)" in r.session_view(only_en, "sv")["what"]


def test_dates_and_times_are_written_by_the_readers_locale():
    when = "2025-10-07T18:00:00+02:00"
    assert r.format_when(when, "sv") == "tis 7 okt. 2025 18:00"
    assert "أكتوبر" in r.format_when(when, "ar") and "الثلاثاء" in r.format_when(when, "ar")
    english = r.format_when(when, "en")
    assert "Oct" in english and "6:00 PM" in english  # plain spaces: an SMS stays in GSM-7


def _vocabularies(platform: set[str]):
    """A followed vocabulary copy whose languages term carry ``platform`` as given."""
    from shared.vocabularies import VocabularyCopies

    copies = VocabularyCopies(store=None, refresh_s=float("inf"))
    copies._read_at = float("inf")  # known: never read from a store here
    terms = {code: {**term, "platform": code in platform} for code, term in SEED["languages"].items()}
    terms.setdefault("pl", {"labels": {"sv": "polska", "en": "Polish"}, "endonym": "Polski", "platform": "pl" in platform})
    copies._take("languages", 1, terms)
    return copies


def test_a_language_the_platform_does_not_offer_gets_swedish():
    contents = Contents(NotificationsSettings(), None, _vocabularies({"sv", "en"}))
    assert asyncio.run(contents.language("ar")) == "sv"  # templates exist, but the platform does not offer it
    assert asyncio.run(contents.language("fa")) == "sv"  # neither
    assert asyncio.run(Contents(NotificationsSettings(), None, _vocabularies({"sv", "en", "ar"})).language("ar")) == "ar"


def test_a_fourth_language_is_a_template_folder_and_the_platform_flag(tmp_path):
    folder = tmp_path / "pl"
    shutil.copytree(r.TEMPLATES / "en", folder)
    labels = {**r.labels("en"), "what": "Co", "when": "Kiedy", "where": "Gdzie", "fallback_note": "(w języku: {language})"}
    (folder / "labels.json").write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    (folder / "reminder.j2").write_text("{% block subject %}Przypomnienie: {{ what }}{% endblock %}{% block intro %}Do zobaczenia!{% endblock %}"
                                        "{% block sms %}Przypomnienie: {{ what }}, {{ when }}, {{ where }}. Stop: {{ unsubscribe_url }}{% endblock %}",
                                        encoding="utf-8")
    settings = NotificationsSettings(template_dirs=[str(tmp_path)])
    dirs = tuple(settings.template_dirs)
    assert asyncio.run(Contents(settings, None, _vocabularies({"sv", "en", "ar"})).language("pl")) == "sv"  # files, but not platform yet
    assert asyncio.run(Contents(settings, None, _vocabularies({"sv", "en", "ar", "pl"})).language("pl")) == "pl"
    out = r.render("reminder", "pl", r.sample_context("reminder", "pl", dirs, session=SV_ONLY), dirs)
    assert out.language == "pl" and out.subject.startswith("Przypomnienie: Samtal om demokrati i Rosengård (w języku: szwedzki)")
    assert "Kiedy: " in out.text and "paź" in out.text  # the layout's words from the folder, the date from CLDR
