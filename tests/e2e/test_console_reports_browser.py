"""Outcome reports in a real browser (Debian's Chromium, Playwright) against the real registry: the
organiser opens the report form from its initiative page, sends it without the Swedish text, sees
the registry's reason beside that field with everything typed kept, fixes it; a curator opens the
report from the reports' work list, links the partner to its registered source and publishes it.
axe-core finds no violation (of any impact) on any page visited."""

import contextlib
import uuid

import pytest

from shared.auth import Role
from tests.browser import ARTIFACTS, chromium, free_port, served
from tests.console import console, registry_on_a_port, sign_in_page
from tests.e2e.test_console_browser import violations
from tests.platform import STAFF_KEYS, register_source
from tests.reports import CURATOR, held_initiative


@pytest.fixture(scope="module")
async def walk(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}rb"))
        uri, key, iid = await held_initiative(registry.http, infra, f"{run_id}rb.", "RB-1")
        partner = f"urn:malmo:source:rb-p-{uuid.uuid4().hex[:6]}"
        await register_source(registry.http, partner, kind="civil_society", name="Föreningen Samtal")
        url = await stack.enter_async_context(served(console(registry.url), free_port()))
        browser = await stack.enter_async_context(chromium())
        yield registry, url, browser, key, iid, partner


async def test_an_organiser_files_with_an_error_then_fixes_it_and_a_curator_publishes(walk):
    registry, url, browser, key, iid, partner = walk
    page = await browser.new_page(locale="sv-SE")
    await sign_in_page(page, url, key)
    await page.goto(f"{url}/initiatives/{iid}")
    await page.get_by_role("link", name="Rapportera resultatet").click()
    await page.wait_for_url(f"{url}/initiatives/{iid}/report")
    assert await violations(page) == []

    await page.get_by_label("Vad hände (engelska, valfri)").fill("We talked about democracy.")
    await page.get_by_label("Antal deltagare (er egen räkning)").fill("40")
    await page.get_by_label("Använt belopp (kr)").fill("18000")
    await page.get_by_label("Unga", exact=True).check()
    await page.get_by_label("Partnerns namn 1").fill("Föreningen Samtal")
    await page.get_by_label("Partnerns slag 1").select_option("civil_society")
    await page.get_by_role("button", name="Skicka rapporten").click()
    await page.wait_for_url(f"{url}/initiatives/{iid}/report")
    assert await page.locator("#f-what_happened\\.sv-error").is_visible()
    assert await page.get_by_label("Vad hände (svenska)").get_attribute("aria-invalid") == "true"
    assert await page.get_by_label("Partnerns namn 1").input_value() == "Föreningen Samtal", "what was typed is kept"
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-report-error.png"), full_page=True)

    await page.get_by_label("Vad hände (svenska)").fill("Vi samtalade om demokrati med 40 unga.")
    await page.get_by_role("button", name="Skicka rapporten").click()
    await page.wait_for_url(f"{url}/reports/{iid}?filed=1")
    assert await page.get_by_text("Registret har tagit emot rapporten.").is_visible()
    assert await violations(page) == []

    curator = await browser.new_page(locale="sv-SE")
    await sign_in_page(curator, url, STAFF_KEYS[Role.curator])
    await curator.get_by_role("link", name="Resultatrapporter").first.click()
    await curator.wait_for_url(f"{url}/reports")
    assert await violations(curator) == []
    await curator.locator(f'a[href="/reports/{iid}"]').click()
    await curator.wait_for_url(f"{url}/reports/{iid}")
    assert await violations(curator) == []
    await curator.get_by_role("combobox", name="Registrerad utgivare Föreningen Samtal").select_option(partner)
    await curator.get_by_role("button", name="Godkänn och publicera").click()
    await curator.wait_for_url(f"{url}/reports/{iid}#steps")
    assert await curator.locator("dd", has_text="Publicerad").first.is_visible()
    assert await violations(curator) == []
    await curator.screenshot(path=str(ARTIFACTS / "console-report-published.png"), full_page=True)

    report = (await registry.http.get(f"/v1/reports/{iid}", headers=CURATOR)).json()
    assert report["status"] == "published" and report["content"]["partners"][0]["source"] == partner
    assert report["content"]["what_happened"]["sv"].startswith("Vi samtalade")
