"""Scheduling's public pages and feeds in every platform language, on the real broker and database:
Arabic complete (rtl, Arabic month names, labels, the fallback said), the language chosen by
``?lang=`` then ``Accept-Language``, the registration's messages language offered and its pages in
it, the feeds following ``lang``, the filters labelled, and a fourth language added as data only
(docs/scheduling.md, "Every resident's language")."""

import json
import re
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from services.registry.domain.vocabularies import SEED
from services.scheduling.main import create_app
from services.scheduling.settings import SchedulingSettings
from shared.auth import Role
from tests.integration.test_scheduling_support import copied_with_edition_and_venue, days_ahead, uid, venue_body
from tests.platform import as_role
from tests.scheduling_language_support import (
    PLATFORM, codes_shown, offered_in, platform_terms, publish_platform_vocabularies, scheduling_in_languages, visible_text,
)

pytestmark = pytest.mark.integration
STAFF = as_role(Role.scheduler)
TEXTS = Path(__file__).resolve().parents[2] / "services" / "scheduling" / "texts"
ARABIC_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
async def sched(infra):
    async with scheduling_in_languages(infra, f"l{uuid.uuid4().hex[:8]}") as p:
        yield p


async def a_session(p, **content) -> dict:
    """A stamped initiative written in Swedish and Arabic (``content`` overriding), one session, published."""
    http = p.http["scheduling"]
    initiative_id = uid()
    texts = {"title": {"sv": "Demokratisamtal", "ar": "حوار حول الديمقراطية"}, "summary": {"sv": "Vi pratar om att rösta.", "ar": "نتحدث عن التصويت."},
             "description": {"sv": "Ta med frågor."}, "target_groups": ["youth"], "accessibility": ["hearing_loop"]}
    edition, venue = await copied_with_edition_and_venue(http, p.kafka, initiative_id, STAFF, "scheduling's copy of the initiative",
                                                         venue=venue_body(accessibility=("wheelchair_access",)), **(texts | content))
    r = await http.post("/v1/sessions", json={"edition_id": edition["edition_id"], "initiative_id": initiative_id, "venue_id": venue["venue_id"],
                        "capacity": 20, "starts_at": days_ahead(3, 16).isoformat(), "duration_minutes": 90}, headers=STAFF)
    assert r.status_code == 201, r.text
    assert (await http.post(f"/v1/editions/{edition['edition_id']}/publish", headers=STAFF)).status_code == 200
    return {"session_id": r.json()["session"]["session_id"], "edition_id": edition["edition_id"]}


def arabic_month(text: str) -> bool:
    return any(m in text for m in ARABIC_MONTHS)


async def test_the_programme_and_a_session_in_arabic(sched):
    http = sched.http["scheduling"]
    s = await a_session(sched)
    for path in ("/programme", f"/programme/sessions/{s['session_id']}", "/knowledge"):
        page = (await http.get(path, params={"lang": "ar"})).text
        assert '<html lang="ar" dir="rtl">' in page, path
        for code, (endonym, direction) in PLATFORM.items():
            assert re.search(rf'<a href="{re.escape(path)}\?[^"]*lang={code}" lang="{code}" hreflang="{code}" dir="{direction}"', page), (path, code)
            assert f">{endonym}</a>" in page
    page = visible_text((await http.get(f"/programme/sessions/{s['session_id']}", params={"lang": "ar"})).text)
    assert "حوار حول الديمقراطية" in page and "نتحدث عن التصويت." in page and arabic_month(page), page
    assert all(label in page for label in ("الديمقراطية", "الشباب", "روزنغورد", "حلقة سمعية", "متاح للكراسي المتحركة", "السويدية")), page
    assert "يُعرض هذا النص باللغة السويدية." in page, "the description is Swedish only, and the page says so"
    english = visible_text((await http.get(f"/programme/sessions/{s['session_id']}", params={"lang": "en"})).text)
    assert "Demokratisamtal" in english and "This text is shown in Swedish." in english


async def test_the_language_is_asked_then_accepted_then_swedish(sched):
    http = sched.http["scheduling"]
    cases = [({"lang": "ar"}, "sv", "ar"), ({}, "ar-SE, en;q=0.8", "ar"), ({}, "fi, en;q=0.5", "en"), ({}, "fi", "sv"), ({"lang": "xx"}, "en", "en"),
             ({"lang": "fa"}, None, "sv")]  # fa: a language of the vocabulary, not a platform one
    for params, accept, expected in cases:
        page = await http.get("/programme", params=params, headers={"accept-language": accept} if accept else {})
        assert page.status_code == 200 and f'<html lang="{expected}"' in page.text, (params, accept, expected)


async def test_a_registration_in_arabic_and_its_pages(sched):
    http = sched.http["scheduling"]
    s = await a_session(sched)
    form = (await http.get(f"/programme/sessions/{s['session_id']}", params={"lang": "en"})).text
    options = re.findall(r'<option value="(\w+)" lang="\w+"( selected)?>([^<]+)</option>', form)
    assert [(code, name) for code, _, name in options] == [(c, e) for c, (e, _) in PLATFORM.items()], options
    assert [code for code, selected, _ in options if selected] == ["en"], "the page's language by default"
    body = f"name=Amina&email=amina%40example.org&language=ar&idempotency_key={uid()}"
    done = await http.post(f"/programme/sessions/{s['session_id']}/register", params={"lang": "en"}, content=body, headers=FORM)
    assert done.status_code == 201, done.text
    assert '<html lang="ar" dir="rtl">' in done.text and "تم تسجيلك" in done.text, "the confirmation in the messages' language"
    assert arabic_month(visible_text(done.text))
    manage = re.search(r'href="(https?://[^"]+/programme/registrations/[^"?]+)\?lang=ar"', done.text)
    assert manage, done.text
    token = manage.group(1).rsplit("/", 1)[1]
    own = await http.get(f"/programme/registrations/{token}")
    assert '<html lang="ar" dir="rtl">' in own.text and "تسجيلك" in own.text, "the manage page in the registration's language"
    assert '<html lang="en"' in (await http.get(f"/programme/registrations/{token}", params={"lang": "en"})).text
    cancelled = await http.post(f"/programme/registrations/{token}/cancel", params={"lang": "ar"}, follow_redirects=False)
    assert cancelled.status_code == 303 and cancelled.headers["location"].endswith("?lang=ar")
    assert "أُلغي" in visible_text((await http.get(cancelled.headers["location"])).text)
    refused = await http.post(f"/programme/sessions/{s['session_id']}/register", params={"lang": "ar"}, content="name=B&phone=123", headers=FORM)
    assert refused.status_code == 422 and "رقم الجوال" in refused.text and "تحقّق من هذا الحقل" in refused.text, refused.text


async def test_the_filters_are_labelled_and_filter(sched):
    http = sched.http["scheduling"]
    young = await a_session(sched)
    other = await a_session(sched, target_groups=["general_public"], themes=["inclusion"])
    page = (await http.get("/programme", params={"lang": "ar"})).text
    for name in ("date", "theme", "district", "target_group", "language", "accessibility"):
        assert f'id="f-{name}"' in page, name
    day = days_ahead(3, 16).astimezone(ZoneInfo("Europe/Stockholm")).date().isoformat()
    chosen = re.search(rf'<option value="{day}">([^<]+)</option>', page)
    assert chosen and arabic_month(chosen.group(1)), "a day is named, not written as its date code"
    assert '<option value="youth">الشباب</option>' in page
    only = (await http.get("/programme", params={"lang": "ar", "target_group": "youth"})).text
    assert young["session_id"] in only and other["session_id"] not in only
    listed = (await http.get("/v1/programme", params={"target_group": "general_public"})).json()["sessions"]
    assert other["session_id"] in {x["session_id"] for x in listed} and young["session_id"] not in {x["session_id"] for x in listed}


async def test_the_feeds_follow_lang(sched):
    http = sched.http["scheduling"]
    s = await a_session(sched)
    plain = (await http.get(f"/v1/programme/sessions/{s['session_id']}")).json()
    assert "in_language" not in plain, "without lang the JSON is as before"
    shown = (await http.get(f"/v1/programme/sessions/{s['session_id']}", params={"lang": "ar"})).json()["in_language"]
    assert shown["title"] == {"text": "حوار حول الديمقراطية", "lang": "ar"} and shown["description"] == {"text": "Ta med frågor.", "lang": "sv"}
    assert shown["themes"] == [{"code": "democracy", "label": "الديمقراطية"}]
    listed = (await http.get("/v1/programme", params={"lang": "en", "edition_id": s["edition_id"]})).json()
    assert listed["lang"] == "en" and listed["sessions"][0]["in_language"]["title"] == {"text": "Demokratisamtal", "lang": "sv"}
    for path in ("/v1/programme", "/v1/programme.ics", f"/v1/programme/sessions/{s['session_id']}.ics"):
        r = await http.get(path, params={"lang": "fa"})
        assert r.status_code == 422 and r.json()["detail"][0]["field"].rsplit(".", 1)[-1] == "lang", (path, r.text)
    cal = Calendar.from_ical((await http.get(f"/v1/programme/sessions/{s['session_id']}.ics", params={"lang": "ar"})).content)
    words = json.loads((TEXTS / "ar.json").read_text(encoding="utf-8"))
    assert str(cal["X-WR-CALNAME"]) == words["calendar_name"]
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "حوار حول الديمقراطية"
    description = str(event["DESCRIPTION"])
    assert "نتحدث عن التصويت." in description and "Ta med frågor." in description and words["shown_in_sv"] in description


async def test_no_page_of_any_session_in_any_language_shows_a_code_or_a_key(sched):
    """The loop over everything this module published (sessions with every kind of code, texts in
    one, two or three languages), every public page, every platform language."""
    http = sched.http["scheduling"]
    await a_session(sched, title={"sv": "Bara svenska"}, summary={"sv": "Bara svenska."}, themes=["anti_racism", "participation"],
                    target_groups=["general_public"], accessibility=["sign_language", "easy_swedish"], languages=["sv", "so"])
    sessions = (await http.get("/v1/programme")).json()["sessions"]
    assert len(sessions) >= 5
    terms = {name: {**SEED[name], **extra} for name, extra in platform_terms().items()}
    for lang in PLATFORM:
        for path in ["/programme", "/knowledge", *(f"/programme/sessions/{x['session_id']}" for x in sessions)]:
            page = await http.get(path, params={"lang": lang})
            assert page.status_code == 200 and f'<html lang="{lang}"' in page.text, (lang, path)
            assert codes_shown(visible_text(page.text), terms) == [], (lang, path, codes_shown(visible_text(page.text), terms))


async def test_a_fourth_language_is_data_only(infra, tmp_path):
    """Persian: a vocabulary event marks it platform (as the registry tells it) and a word file is
    put in a folder the service reads; no code changes, and the programme page is in Persian."""
    words = json.loads((TEXTS / "en.json").read_text(encoding="utf-8")) | {"programme": "برنامه", "language_nav": "زبان", "any": "همه"}
    (tmp_path / "fa.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")

    def with_persian(settings: SchedulingSettings):
        return create_app(settings.model_copy(update={"scheduling_texts_dirs": str(tmp_path)}))

    async with scheduling_in_languages(infra, f"f{uuid.uuid4().hex[:8]}", with_persian) as p:
        http = p.http["scheduling"]
        assert '<html lang="sv"' in (await http.get("/programme", params={"lang": "fa"})).text, "not platform yet: Swedish"
        await publish_platform_vocabularies(p.kafka, PLATFORM | {"fa": ("فارسی", "rtl")}, version=2)
        await offered_in(http, "fa")
        page = (await http.get("/programme", params={"lang": "fa"})).text
        assert '<html lang="fa" dir="rtl">' in page and "<h1>برنامه" in page
        assert re.search(r'lang="fa" hreflang="fa" dir="rtl" aria-current="true">فارسی</a>', page), page
        assert ">فارسی</a>" in (await http.get("/programme", params={"lang": "ar"})).text, "every page's menu has it"
