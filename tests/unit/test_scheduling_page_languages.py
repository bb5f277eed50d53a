"""Scheduling's public pages in every platform language, without I/O: the word files are complete,
a missing word fails instead of showing its key, a fourth language is data only, and — a property
over generated sessions and reports — no page in any language shows a vocabulary code, a
translation key or "None" (docs/scheduling.md, "Every resident's language")."""

import copy
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.registry.domain.vocabularies import SEED
from services.scheduling.adapters.texts import HERE, MissingText, PageTexts, Words, folders, load
from services.scheduling.api.knowledge import shown as report_shown
from services.scheduling.api.page import Page, render
from services.scheduling.api.views import decorate, options_of
from shared.languages import chosen_language, platform_languages
from shared.vocabularies import VocabularyCopies
from tests.scheduling_language_support import codes_shown, visible_text

PLATFORM = {"sv": ("Svenska", "ltr"), "en": ("English", "ltr"), "ar": ("العربية", "rtl")}
ARABIC_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")


def copies(platform: dict = PLATFORM) -> VocabularyCopies:
    """The registry's seed as a service's copy, ``platform`` marked (code → endonym, direction)."""
    c = VocabularyCopies(None)  # type: ignore[arg-type]  # never read: terms set here
    c.terms = copy.deepcopy(SEED)
    for code, (endonym, direction) in platform.items():
        c.terms["languages"].setdefault(code, {"labels": {"sv": code, "en": code}, "retired": False})
        c.terms["languages"][code].update(endonym=endonym, direction=direction, platform=True)
    c.terms["themes"]["democracy"]["labels"]["ar"] = "الديمقراطية"
    return c


def page_in(lang: str, texts: PageTexts | None = None, vocabularies: VocabularyCopies | None = None, path: str = "/programme") -> Page:
    texts = texts or PageTexts(folders(""))
    vocabularies = vocabularies or copies()
    offered = platform_languages(vocabularies, texts.codes)
    return Page(chosen_language(lang, None, offered), tuple(offered), texts, vocabularies, path, ())


def a_session(**kw) -> dict:
    return {
        "session_id": "s1", "initiative_id": "i1", "title": {"sv": "Demokratisamtal", "ar": "حوار حول الديمقراطية"},
        "starts_at": "2026-10-06T14:00:00+00:00", "ends_at": "2026-10-06T16:00:00+00:00", "themes": ["democracy"],
        "districts": ["rosengard"], "languages": ["sv", "ar"], "accessibility": ["hearing_loop"],
        "venue": {"name": "Rosengårds bibliotek", "address": "Rosengårdsstråket 1", "accessibility": ["wheelchair_access"]},
        "organizer": {"name": "Föreningen Samtal"}, "status": "published", "registration_required": True, "free_seats": 12,
        "max_party_size": 4, **kw,
    }


ABOUT = {"summary": {"sv": "Vi pratar om att rösta."}, "description": {"sv": "Ta med frågor.", "en": "Bring questions."}, "target_groups": ["youth"]}
REGISTRATION = {"status": "confirmed", "code": "RS4K2P", "party_size": 2, "waitlist_position": None, "language": "ar"}


def pages(p: Page, view: dict, about: dict, report: dict) -> dict[str, str]:
    """Every public page of scheduling rendered in ``p``'s language."""
    s = decorate(view, p, about)
    r = report_shown(report, p)
    options = {"themes": [], "districts": [], "target_groups": [], "organizer_kinds": ["civil_society"], "editions": [("2026", "Öppna Malmö 2026")]}
    out = {
        "programme": render(p, "programme.html", page_title="x", sessions=[s], options=options_of([view], p, lambda v: about), f={}, edition=None),
        "session": render(p, "session.html", page_title="x", s=s, offered=p.offered, form={}, errors=[{"field": "phone", "message": p.t["check_field"]}]),
        "registration": render(p, "registration.html", page_title="x", r=REGISTRATION, s=s, manage_url="/m?lang=ar", token="tok", message=None),
        "knowledge": render(p, "knowledge.html", page_title="x", reports=[r], options=options, f={}),
        "report": render(p, "knowledge_report.html", page_title="x", r=r | {"edition_name": "Öppna Malmö 2026"}, sessions=[s]),
    }
    return {name: response.body.decode() for name, response in out.items()}


def a_report(**texts) -> dict:
    return {"initiative_id": "i1", "title": {"sv": "Demokratisamtal"}, "themes": ["democracy"], "organizer_name": "Föreningen Samtal",
            "organizer_kind": "civil_society", "edition_id": "2026", "published_at": "2026-11-02T10:00:00+00:00",
            "content": {"what_happened": {"sv": "Vi samtalade."}, "worked": texts.get("worked"), "did_not_work": None, "participants": 1234,
                        "districts": ["rosengard"], "target_groups": ["youth"], "partners": [{"name": "ABF", "kind": "civil_society"}],
                        "materials": []}}


def test_every_language_file_has_every_swedish_key():
    swedish = json.loads((HERE / "sv.json").read_text(encoding="utf-8"))
    for path in sorted(HERE.glob("*.json")):
        words = json.loads(path.read_text(encoding="utf-8"))
        assert not set(swedish) - set(words), (path.name, sorted(set(swedish) - set(words)))
        assert all(isinstance(v, str) and v.strip() for v in words.values()), path.name
    assert {p.stem for p in HERE.glob("*.json")} >= {"sv", "en", "ar"}


def test_a_missing_word_fails_rather_than_showing_its_key(tmp_path):
    with pytest.raises(MissingText):
        Words({"a": "b"})["register_button"]
    texts = PageTexts(folders(""))
    del texts.words["ar"]["register_button"]
    with pytest.raises(MissingText):
        pages(page_in("ar", texts), a_session(), ABOUT, a_report())
    # an incomplete file in an extra folder is not offered at all
    (tmp_path / "fa.json").write_text(json.dumps({"programme": "برنامه"}), encoding="utf-8")
    assert "fa" not in load(folders(str(tmp_path)))


def test_a_fourth_language_is_data_only(tmp_path):
    words = json.loads((HERE / "en.json").read_text(encoding="utf-8")) | {"programme": "برنامه", "language_nav": "زبان"}
    (tmp_path / "fa.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    texts = PageTexts(folders(str(tmp_path)))
    vocabularies = copies(PLATFORM | {"fa": ("فارسی", "rtl")})
    html = pages(page_in("fa", texts, vocabularies), a_session(), ABOUT, a_report())["programme"]
    assert '<html lang="fa" dir="rtl">' in html and "<h1>برنامه" in html
    assert '<a href="/programme?lang=fa" lang="fa" hreflang="fa" dir="rtl" aria-current="true">فارسی</a>' in html
    assert "اکتبر" in visible_text(html)  # Babel's Persian month name
    # not marked platform: not offered, the menu does not have it
    plain = pages(page_in("fa", texts, copies()), a_session(), ABOUT, a_report())["programme"]
    assert '<html lang="sv" dir="ltr">' in plain and "فارسی" not in plain


def test_the_arabic_pages_are_rtl_with_arabic_dates_and_say_when_a_text_is_swedish():
    shown = pages(page_in("ar"), a_session(), ABOUT, a_report())
    for name, html in shown.items():
        assert '<html lang="ar" dir="rtl">' in html, name
        for code, (endonym, _) in PLATFORM.items():
            assert f'lang="{code}" hreflang="{code}"' in html and endonym in html, (name, code)
    text = visible_text(shown["session"])
    assert "6 أكتوبر 2026" in text and "الديمقراطية" in text  # Babel's month; the theme's Arabic label
    assert "يُعرض هذا النص باللغة السويدية." in text  # the summary and description are Swedish
    assert '<p class="summary" lang="sv" dir="ltr">Vi pratar om att rösta.</p>' in shown["session"]
    assert '<option value="ar" lang="ar" selected>العربية</option>' in shown["session"]
    assert "1,234" in visible_text(shown["report"]) or "1٬234" in visible_text(shown["report"])
    assert "2 نوفمبر 2026" in visible_text(shown["report"])
    english = visible_text(pages(page_in("en"), a_session(), ABOUT, a_report())["session"])
    assert "Bring questions." in english and "This text is shown in Swedish." in english  # the summary is Swedish only


TEXTS = st.dictionaries(st.sampled_from(["sv", "en", "ar"]), st.sampled_from(["Ett samtal", "A talk", "حوار"]), min_size=1)


def codes_of(name: str):
    return st.lists(st.sampled_from(sorted(SEED[name])), max_size=4, unique=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXTS, summary=st.none() | TEXTS, themes=codes_of("themes"), districts=codes_of("districts"), languages=codes_of("languages"),
       accessibility=codes_of("accessibility"), target_groups=codes_of("target_groups"), free=st.integers(0, 2000),
       status=st.sampled_from(["published", "cancelled", "rescheduled"]), lang=st.sampled_from(["sv", "en", "ar"]))
def test_no_page_in_any_language_shows_a_code_or_a_key(title, summary, themes, districts, languages, accessibility, target_groups, free,
                                                        status, lang):
    vocabularies = copies()
    view = a_session(title=title, themes=themes, districts=districts, languages=languages, accessibility=accessibility, free_seats=free,
                     status=status)
    about = {"summary": summary, "description": summary, "target_groups": target_groups}
    for name, html in pages(page_in(lang, vocabularies=vocabularies), view, about, a_report(worked=summary)).items():
        text = visible_text(html)
        assert codes_shown(text, vocabularies.terms) == [], (lang, name, codes_shown(text, vocabularies.terms))
        assert f'<html lang="{lang}" dir="{PLATFORM[lang][1]}">' in html
        if name in ("programme", "session"):
            month = "أكتوبر" if lang == "ar" else ("oktober" if lang == "sv" else "October")
            assert month in text, (lang, name)
