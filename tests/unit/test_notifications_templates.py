"""Every category renders in every language with what, when, where and how to stop."""

import pytest

from services.notifications import render as r
from shared.events.notifications import Category

LANGUAGES = ["sv", "en", "ar"]


def test_swedish_english_and_arabic_templates_exist_for_every_category():
    assert set(LANGUAGES) <= set(r.languages())
    for lang in LANGUAGES:
        for category in Category:
            assert (r.TEMPLATES / lang / f"{category.value}.j2").exists(), (lang, category)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("category", [c.value for c in Category])
def test_every_template_renders_what_when_where_and_unsubscribe(category, lang):
    ctx = r.sample_context(category, lang)
    out = r.render(category, lang, ctx)
    assert out.subject and "\n" not in out.subject
    for part in (out.text, out.html, out.sms):
        assert ctx["what"] in part
        assert ctx["when"] in part
        if category != "digest":
            assert ctx["where"] in part
        assert ctx["unsubscribe_url"] in part
    assert r.labels(lang)["unsubscribe"] in out.text and r.labels(lang)["unsubscribe"] in out.html
    assert out.sms_length.segments >= 1
    assert f'lang="{lang}"' in out.html
    if lang != "ar":
        assert out.sms_length.encoding == "gsm7", out.sms  # Swedish and English SMS stay in GSM-7
    if category == "organizer_decision":
        assert ctx["comment"] in out.text and ctx["comment"] in out.html
    if category == "subscription_confirmation":
        assert ctx["code"] in out.sms and ctx["action_url"] in out.html


def test_arabic_email_is_right_to_left():
    out = r.render("reminder", "ar", r.sample_context("reminder", "ar"))
    assert '<html lang="ar" dir="rtl">' in out.html and '<body dir="rtl"' in out.html
    assert 'dir="ltr"' in r.render("reminder", "sv", r.sample_context("reminder", "sv")).html


def test_html_escapes_what_publishers_wrote():
    ctx = {**r.sample_context("reminder", "en"), "what": "<script>alert(1)</script>"}
    out = r.render("reminder", "en", ctx)
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html


def test_a_language_without_templates_gets_swedish():
    assert r.render("reminder", "xx", r.sample_context("reminder", "xx")).language == "sv"
    assert r.language_for("xx") == "sv" and r.language_for("ar", ["sv", "en"]) == "sv" and r.language_for("ar", ["sv", "ar"]) == "ar"


def test_the_ics_attachment_is_a_calendar_event():
    ics = r.ics(r.SAMPLE_SESSION, "sample-session", "sv").decode()
    assert "BEGIN:VEVENT" in ics and "DTSTART:20251007T160000Z" in ics and "Rosengårds bibliotek" in ics
