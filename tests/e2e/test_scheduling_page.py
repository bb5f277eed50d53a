"""The programme page in headless Chromium: headings, labels, keyboard, language, axe-core, and a
registration; and the programme, a session, a registration and its confirmation in Arabic:
``dir="rtl"``, an Arabic month name, the vocabularies' labels (never a code), axe-core finds no
violation (of any impact). With ``UPDATE_SCREENSHOTS=1`` the README's pictures
(docs/screenshots/programme-ar*.png) are taken again."""

import os
import re
import uuid
from pathlib import Path

import httpx
import pytest

from services.registry.domain.vocabularies import SEED
from services.scheduling.main import create_app
from services.scheduling.settings import SchedulingSettings
from shared.auth import Role
from tests.browser import ARTIFACTS, chromium, free_port, serious_violations, served as serving
from tests.e2e.test_console_browser import violations
from tests.integration.test_scheduling_support import copied_with_edition_and_venue, days_ahead, venue_body
from tests.platform import Platform, RawKafka, as_role, settings_for
from tests.scheduling_language_support import offered_in, publish_platform_vocabularies

STAFF = as_role(Role.scheduler)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
README_PICTURES = {"programme-ar", "programme-ar-session", "programme-ar-registration", "programme-ar-confirmation"}
ARABIC_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")
CODES = {c for terms in SEED.values() for c in terms if len(c) > 2}


@pytest.fixture(scope="module")
async def served(infra):
    """Scheduling on a real HTTP port (a browser cannot reach the in-process client)."""
    run_id = f"w{uuid.uuid4().hex[:8]}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = settings_for(SchedulingSettings, infra, run_id, http_port=port, public_base_url=base)
    cleanup = Platform(infra, run_id)
    cleanup.settings["scheduling"] = settings
    try:
        async with serving(create_app(settings), port), RawKafka(infra.kafka, f"{run_id}.") as kafka, httpx.AsyncClient(base_url=base, timeout=30) as http:
            await publish_platform_vocabularies(kafka)
            await offered_in(http, "ar")
            yield base, http, kafka
    finally:
        await cleanup.cleanup()


async def published_session(http, kafka) -> str:
    initiative_id = uuid.uuid4().hex
    edition, venue = await copied_with_edition_and_venue(http, kafka, initiative_id, STAFF, "the initiative copy",
                                                         title={"sv": "Demokratisamtal i Rosengård", "en": "Democracy talk in Rosengård"})
    r = await http.post(
        "/v1/sessions",
        json={"edition_id": edition["edition_id"], "initiative_id": initiative_id, "venue_id": venue["venue_id"], "capacity": 20,
              "starts_at": days_ahead(3, 16).isoformat(), "ends_at": days_ahead(3, 18).isoformat()},
        headers=STAFF,
    )
    assert r.status_code == 201, r.text
    assert (await http.post(f"/v1/editions/{edition['edition_id']}/publish", headers=STAFF)).status_code == 200
    return r.json()["session"]["session_id"]


async def test_the_programme_page_is_accessible_and_takes_a_registration_by_keyboard(served):
    base, http, kafka = served
    session_id = await published_session(http, kafka)
    async with chromium() as browser:
        page = await browser.new_page(locale="sv-SE")  # Accept-Language: Swedish unless ?lang=
        await page.goto(f"{base}/programme?lang=en")
        assert await page.get_attribute("html", "lang") == "en"
        assert await page.locator("h1").inner_text() == "The programme"
        assert "Democracy talk in Rosengård" in await page.locator("h3").all_inner_texts()
        await page.goto(f"{base}/programme")
        assert await page.get_attribute("html", "lang") == "sv"
        assert await page.locator("h1").inner_text() == "Programmet"
        assert await serious_violations(page) == []

        await page.goto(f"{base}/programme/sessions/{session_id}?lang=en")
        for field, label in (("r-name", "Name"), ("r-email", "Email"), ("r-phone", "Mobile number"), ("r-party_size", "Number of people")):
            assert await page.locator(f"label[for={field}]").inner_text() == label
        assert await page.get_by_label("Name").count() == 1
        assert await serious_violations(page) == []

        # keyboard only: fill the fields, Tab to the button, Enter
        await page.get_by_label("Name").focus()
        await page.keyboard.type("Amina Hassan")
        await page.keyboard.press("Tab")
        await page.keyboard.type("amina@example.org")
        for _ in range(20):
            await page.keyboard.press("Tab")
            if await page.evaluate("document.activeElement.id") == "register-button":
                break
        assert await page.evaluate("document.activeElement.id") == "register-button"
        await page.screenshot(path=str(ARTIFACTS / "programme-page.png"), full_page=True)
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        assert await page.locator("h1").inner_text() == "You are registered"
        code = await page.locator("#registration-code").inner_text()
        assert len(code) == 6
        await page.screenshot(path=str(ARTIFACTS / "programme-registered.png"), full_page=True)

        # a bad phone number re-renders the form with the field named
        await page.goto(f"{base}/programme/sessions/{session_id}?lang=en")
        await page.get_by_label("Name").fill("B")
        await page.get_by_label("Mobile number").fill("123")
        async with page.expect_navigation():
            await page.locator("#register-button").click()
        assert "Mobile number" in await page.locator("[role=alert]").inner_text()
    listed = (await http.get(f"/v1/sessions/{session_id}/registrations", headers=STAFF)).json()
    assert [(r["status"], r["code"]) for r in listed] == [("confirmed", code)]


async def arabic_session(http, kafka) -> str:
    initiative_id = uuid.uuid4().hex
    edition, venue = await copied_with_edition_and_venue(
        http, kafka, initiative_id, STAFF, "the initiative copy", venue=venue_body(accessibility=("wheelchair_access",)),
        title={"sv": "Demokratisamtal i Rosengård", "ar": "حوار حول الديمقراطية في روزنغورد"},
        summary={"sv": "Vi pratar om hur man röstar.", "ar": "نتحدث عن كيفية التصويت في الانتخابات."},
        description={"sv": "Ta med frågor om valet; tolk finns på plats."}, target_groups=["youth"], themes=["democracy", "human_rights"],
        accessibility=["hearing_loop"],
    )
    r = await http.post("/v1/sessions", json={"edition_id": edition["edition_id"], "initiative_id": initiative_id, "venue_id": venue["venue_id"],
                        "capacity": 20, "starts_at": days_ahead(3, 16).isoformat(), "ends_at": days_ahead(3, 18).isoformat()}, headers=STAFF)
    assert r.status_code == 201, r.text
    assert (await http.post(f"/v1/editions/{edition['edition_id']}/publish", headers=STAFF)).status_code == 200
    return r.json()["session"]["session_id"]


async def seen(page, name: str) -> str:
    """The page is Arabic, right to left, with an Arabic month, no code and no axe violation; photographed."""
    assert await page.get_attribute("html", "lang") == "ar" and await page.get_attribute("html", "dir") == "rtl", page.url
    text = await page.locator("main").inner_text()
    assert any(m in text for m in ARABIC_MONTHS), (page.url, text)
    assert not CODES & set(re.findall(r"[\w-]+", text)), (page.url, CODES & set(re.findall(r"[\w-]+", text)))
    assert await violations(page) == [], page.url
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if name in README_PICTURES and os.environ.get("UPDATE_SCREENSHOTS"):
        DOCS.mkdir(exist_ok=True)
        await page.screenshot(path=str(DOCS / f"{name}.png"))
    return text


async def test_the_programme_a_session_and_a_registration_in_arabic(served):
    base, http, kafka = served
    session_id = await arabic_session(http, kafka)
    async with chromium() as browser:
        page = await browser.new_page(locale="ar", viewport={"width": 900, "height": 1100})
        await page.goto(f"{base}/programme")  # Accept-Language: ar
        text = await seen(page, "programme-ar")
        assert await page.locator("h1").inner_text() == "البرنامج"
        assert "حوار حول الديمقراطية في روزنغورد" in text and "الديمقراطية" in text and "الشباب" in text
        assert await page.locator('nav a[hreflang="sv"]').inner_text() == "Svenska"

        await page.locator(f'a[href^="/programme/sessions/{session_id}"]').click()
        text = await seen(page, "programme-ar-session")
        assert "يُعرض هذا النص باللغة السويدية." in text, "the description is Swedish only: said in Arabic"
        assert await page.locator("#r-language").input_value() == "ar"

        await page.get_by_label("الاسم").fill("أمينة حسن")
        await page.get_by_label("البريد الإلكتروني").fill("amina@example.org")
        await page.get_by_label("عدد الأشخاص").fill("2")
        await page.locator("#register-button").scroll_into_view_if_needed()
        await seen(page, "programme-ar-registration")
        async with page.expect_navigation():
            await page.locator("#register-button").click()
        text = await seen(page, "programme-ar-confirmation")
        assert await page.locator("h1").inner_text() == "تم تسجيلك"
        assert len(await page.locator("#registration-code").inner_text()) == 6
    listed = (await http.get(f"/v1/sessions/{session_id}/registrations", headers=STAFF)).json()
    assert [(r["status"], r["language"], r["party_size"]) for r in listed] == [("confirmed", "ar", 2)]
