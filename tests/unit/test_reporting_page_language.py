"""Reporting's pages in every platform language with a label file (issue 28): the words are data
(``services/reporting/labels/<lang>.json``, every key in every file), Arabic complete and
right-to-left, numbers by CLDR, vocabulary labels not codes, no missing-translation key."""

import json
import re

import pytest

from services.registry.domain.vocabularies import SEED
from services.reporting.adapters import dashboard, follow_up_page
from services.reporting.adapters.charts import fmt
from services.reporting.adapters.page_language import chosen, offered
from services.reporting.domain.labels import FILES
from shared.vocabularies import VocabularyCopies
from tests.unit.test_reporting_figures import model_with
from tests.unit.test_reporting_follow_up import model

KEY = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")


def _keys(d: dict, prefix: str = "") -> set[str]:
    return {k for key, v in d.items() for k in (_keys(v, f"{prefix}{key}.") if isinstance(v, dict) else {f"{prefix}{key}"})}


def vocabularies(platform=("sv", "en", "ar")) -> VocabularyCopies:
    copies = VocabularyCopies(store=None, refresh_s=float("inf"))
    for name, terms in SEED.items():
        if name == "languages":
            terms = {code: {**term, "platform": code in platform} for code, term in terms.items()}
        copies._take(name, 1, terms)
    return copies


def test_every_label_file_has_every_key_of_swedish():
    files = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in FILES.glob("*.json")}
    assert {"sv", "en", "ar"} <= set(files)
    for lang, words in files.items():
        assert _keys(words) == _keys(files["sv"]), (lang, _keys(words) ^ _keys(files["sv"]))


def test_the_pages_offer_the_platform_languages_with_label_files():
    v = vocabularies()
    assert [(x.code, x.endonym, x.direction) for x in offered(v)] == [("sv", "Svenska", "ltr"), ("en", "English", "ltr"), ("ar", "العربية", "rtl")]
    assert [x.code for x in offered(vocabularies(("sv", "en")))] == ["sv", "en"]
    assert chosen("ar", None, v) == "ar" and chosen(None, "ar-SE, en;q=0.5", v) == "ar" and chosen("fa", None, v) == "sv"
    assert chosen(None, None, None) == "sv"


@pytest.mark.parametrize("page", [dashboard, follow_up_page])
@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_a_page_is_wholly_in_its_language_without_codes_or_keys(page, lang):
    m = model_with(12) if page is dashboard else model(8, 6)
    html = page.render(m, None if page is dashboard else "e", lang, 5, vocabularies())
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in html
    text = re.sub(r"<(style|svg)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    assert not KEY.findall(text), KEY.findall(text)
    for code in ("rosengard", "civil_society", "organizer_kind", "follow_up"):
        assert code not in text, code
    assert 'hreflang="ar" dir="rtl"' in html and ">العربية<" in html and ">Svenska<" in html
    if lang == "ar":
        assert not re.findall(r"\b(Inlämnade|Submitted|Tema|Theme|Total|Totalt)\b", text)


def test_numbers_follow_the_readers_locale():
    assert fmt(3_780_000, "count", "sv") == "3\u00a0780\u00a0000" and fmt(3_780_000, "count", "en") == "3,780,000"
    assert fmt(0.125, "ratio", "sv") == "12,5\u00a0%" and fmt(0.125, "ratio", "en") == "12.5%"
    assert fmt(3.456, "mean", "sv") == "3,46" and fmt(None, "count", "ar") == ".."
