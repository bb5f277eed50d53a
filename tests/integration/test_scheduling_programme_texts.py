"""What residents read in the programme (page, JSON, iCalendar): what a session is about, the
vocabularies' labels (never codes), the page's language and the calendar's name.

Scheduling alone on the real broker and database; the registry's events (vocabularies,
initiatives) are published by the test on this module's topic prefix.
"""

import uuid

import pytest
from icalendar import Calendar

from shared.auth import Role
from tests.integration.test_scheduling_support import copied_with_edition_and_venue, days_ahead, uid, venue_body
from tests.platform import as_role, eventually
from tests.scheduling_language_support import publish_platform_vocabularies, scheduling_in_languages, visible_text

pytestmark = pytest.mark.integration
STAFF = as_role(Role.scheduler)


@pytest.fixture(scope="module")
async def sched(infra):
    async with scheduling_in_languages(infra, f"p{uuid.uuid4().hex[:8]}") as p:
        yield p


async def a_session(sched, venue_accessibility=("wheelchair_access",), **content) -> dict:
    """A stamped initiative (``content`` overriding its defaults) scheduled once, its edition published."""
    http = sched.http["scheduling"]
    initiative_id = uid()
    edition, venue = await copied_with_edition_and_venue(http, sched.kafka, initiative_id, STAFF, "scheduling's copy of the initiative",
                                                         venue=venue_body(accessibility=venue_accessibility), **content)
    r = await http.post("/v1/sessions", json={"edition_id": edition["edition_id"], "initiative_id": initiative_id, "venue_id": venue["venue_id"],
                        "capacity": 20, "starts_at": days_ahead(3, 16).isoformat(), "duration_minutes": 90}, headers=STAFF)
    assert r.status_code == 201, r.text
    assert (await http.post(f"/v1/editions/{edition['edition_id']}/publish", headers=STAFF)).status_code == 200
    return {"session_id": r.json()["session"]["session_id"], "edition_id": edition["edition_id"]}


async def test_the_root_leads_to_the_programme(sched):
    http = sched.http["scheduling"]
    r = await http.get("/", follow_redirects=False)
    assert r.status_code in (303, 307) and r.headers["location"].endswith("/programme"), (r.status_code, r.headers)
    followed = await http.get("/", follow_redirects=True)
    assert followed.status_code == 200 and "<h1>Programmet" in followed.text


async def test_a_page_in_a_language_it_does_not_offer_falls_back_to_swedish(sched):
    http = sched.http["scheduling"]
    s = await a_session(sched)
    for lang in ("fa", "xx", "fi"):  # fa: in the vocabulary, not a platform language
        for path in ("/programme", f"/programme/sessions/{s['session_id']}"):
            page = await http.get(path, params={"lang": lang})
            assert page.status_code == 200, (lang, path, page.status_code)
            assert '<html lang="sv" dir="ltr">' in page.text, (lang, path)
        assert "Programmet" in visible_text((await http.get("/programme", params={"lang": lang})).text)


async def test_the_calendar_refuses_an_unknown_language_and_is_named_in_the_asked_one(sched):
    http = sched.http["scheduling"]
    s = await a_session(sched)
    for path in ("/v1/programme.ics", f"/v1/programme/sessions/{s['session_id']}.ics"):
        r = await http.get(path, params={"lang": "xx"})
        assert r.status_code == 422, (path, r.status_code)
        assert "lang" in {d["field"].rsplit(".", 1)[-1] for d in r.json()["detail"]}, r.json()  # "query.lang"
        names = {}
        for lang in ("sv", "en", "ar"):
            r = await http.get(path, params={"lang": lang})
            assert r.status_code == 200, (path, lang, r.text)
            names[lang] = str(Calendar.from_ical(r.content)["X-WR-CALNAME"])
        assert "program" in names["sv"] and "programme" in names["en"] and "البرنامج" in names["ar"], names
        assert len(set(names.values())) == 3, names


async def test_the_programme_tells_what_a_session_is_about(sched):
    http = sched.http["scheduling"]
    summary = {"sv": "Vi pratar om hur man röstar.", "en": "We talk about how to vote."}
    description = {"sv": "Ta med frågor om valet; tolk finns på plats.", "en": "Bring your questions about the election; interpreters are there."}
    s = await a_session(sched, summary=summary, description=description)
    one = (await http.get(f"/v1/programme/sessions/{s['session_id']}")).json()
    assert (one["summary"], one["description"]) == (summary, description)
    listed = (await http.get("/v1/programme", params={"edition_id": s["edition_id"]})).json()["sessions"]
    assert [(x["summary"], x["description"]) for x in listed] == [(summary, description)]
    for lang in ("sv", "en"):
        cal = Calendar.from_ical((await http.get(f"/v1/programme/sessions/{s['session_id']}.ics", params={"lang": lang})).content)
        text = str(cal.walk("VEVENT")[0]["DESCRIPTION"])
        assert summary[lang] in text and description[lang] in text, text
        listing = visible_text((await http.get("/programme", params={"lang": lang})).text)
        assert summary[lang] in listing
        page = visible_text((await http.get(f"/programme/sessions/{s['session_id']}", params={"lang": lang})).text)
        assert summary[lang] in page and description[lang] in page


async def test_the_page_shows_the_vocabularies_labels_never_codes(sched):
    http = sched.http["scheduling"]
    # a term the curators add later reaches the page as a label too
    await publish_platform_vocabularies(sched.kafka, version=2, extra={"accessibility": {"tactile_paving": {"labels": {"sv": "Taktila plattor", "en": "Tactile paving"}, "retired": False}}})
    s = await a_session(sched, themes=["human_rights"], target_groups=["youth"], accessibility=["hearing_loop", "tactile_paving"], languages=["sv", "ar"])
    codes = ("human_rights", "youth", "hearing_loop", "tactile_paving", "wheelchair_access", "rosengard")
    expected = {
        "sv": ("Mänskliga rättigheter", "Unga", "Hörslinga", "Taktila plattor", "Tillgängligt med rullstol", "Rosengård", "arabiska"),
        "en": ("Human rights", "Young people", "Hearing loop", "Tactile paving", "Wheelchair accessible", "Rosengård", "Arabic"),
    }

    async def labelled(lang: str, path: str) -> str | None:
        text = visible_text((await http.get(path, params={"lang": lang})).text)
        return text if all(label in text for label in expected[lang]) else None

    for lang in ("sv", "en"):
        for path in ("/programme", f"/programme/sessions/{s['session_id']}"):
            text = await eventually(lambda: labelled(lang, path), what=f"labels on {path} in {lang}")
            assert not [c for c in codes if c in text.split() or f"{c}," in text], (lang, path, text)
    ar = visible_text((await http.get(f"/programme/sessions/{s['session_id']}", params={"lang": "ar"})).text)
    arabic = ("حقوق الإنسان", "الشباب", "حلقة سمعية", "Taktila plattor", "متاح للكراسي المتحركة", "روزنغورد", "العربية")
    assert all(label in ar for label in arabic), ar  # Arabic labels where the curators gave one, else Swedish
    assert not [c for c in codes if c in ar.split()], ar
