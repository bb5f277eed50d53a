"""The programme page in headless Chromium: headings, labels, keyboard, language, axe-core, and a registration."""

import uuid

import httpx
import pytest

from services.scheduling.main import create_app
from services.scheduling.settings import SchedulingSettings
from shared.auth import Role
from tests.integration.test_scheduling_support import copied_with_edition_and_venue, days_ahead
from tests.browser import ARTIFACTS, chromium, free_port, serious_violations, served as serving
from tests.platform import Platform, RawKafka, as_role, settings_for

STAFF = as_role(Role.scheduler)


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
        page = await browser.new_page()
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
