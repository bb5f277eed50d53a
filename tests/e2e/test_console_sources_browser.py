"""The curator's sources and vocabularies pages in a real browser (Debian's Chromium, Playwright)
against the real registry: register a source (refused beside its fields first), see its key once
(and it works at the registry), ask to revoke it and cancel, add a vocabulary term and see it listed; make a language a platform language and label a theme in
it and in Arabic. axe-core finds no violation on any page visited."""

import contextlib
import uuid

import pytest

from shared.auth import Role
from tests.browser import ARTIFACTS, chromium, free_port, served
from tests.console import console, registry_on_a_port, sign_in_page
from tests.e2e.test_console_browser import violations
from tests.platform import STAFF_KEYS, as_source


@pytest.fixture(scope="module")
async def walk(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}csb"))
        url = await stack.enter_async_context(served(console(registry.url), free_port()))
        browser = await stack.enter_async_context(chromium())
        yield registry, url, browser


async def test_a_curator_registers_a_source_and_adds_a_term_with_no_accessibility_violation(walk):
    registry, url, browser = walk
    uri, code = f"urn:malmo:source:csb-{uuid.uuid4().hex[:6]}", f"t{uuid.uuid4().hex[:8]}"
    page = await browser.new_page(locale="sv-SE")
    await sign_in_page(page, url, STAFF_KEYS[Role.curator])

    await page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Utgivare").click()
    await page.wait_for_url(f"{url}/sources")
    assert await violations(page) == []
    await page.get_by_label("Utgivare (käll-URI)").fill(uri)
    await page.get_by_role("button", name="Registrera").click()  # no kind, no names: refused beside them
    await page.wait_for_url(f"{url}/sources")
    assert await page.locator("#f-src_kind").get_attribute("aria-invalid") == "true"
    assert await page.locator("#f-src_name_sv-error").is_visible()
    assert await violations(page) == []
    await page.get_by_label("Typ av utgivare").select_option("international")
    await page.get_by_label("Namn (svenska)").fill("Nordiska rådet")
    await page.get_by_label("Namn (engelska)").fill("The Nordic Council")
    await page.get_by_role("button", name="Registrera").click()
    await page.get_by_role("heading", name="Den nya nyckeln").wait_for()
    assert page.url == f"{url}/sources", "the key is in no URL"
    assert await page.get_by_text("Kopiera nyckeln nu").is_visible()
    key = await page.get_by_label("API-nyckel").input_value()
    assert (await registry.http.get("/v1/me", headers=as_source(key))).json()["source"] == uri
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-new-key.png"), full_page=True)

    await page.get_by_role("link", name="Till utgivarens sida").click()
    await page.get_by_role("heading", name="Nordiska rådet", level=1).wait_for()
    assert key not in await page.content(), "shown once: not on the source's page"
    assert await violations(page) == []
    await page.get_by_role("link", name="Återkalla").click()  # asks first
    await page.get_by_role("heading", name="Återkalla nyckeln?").wait_for()
    assert await violations(page) == []
    await page.get_by_role("link", name="Avbryt").click()
    await page.get_by_role("heading", name="Nordiska rådet", level=1).wait_for()
    assert (await registry.http.get("/v1/me", headers=as_source(key))).status_code == 200, "cancelled: the key works"

    await page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Ordlistor").click()
    await page.wait_for_url(f"{url}/vocabularies")
    assert await violations(page) == []
    await page.get_by_label("Ordlista").select_option("districts")
    await page.get_by_label("Kod").fill(code)
    await page.get_by_label("Etikett (svenska)").fill("Hyllie")
    await page.get_by_label("Etikett (engelska)").fill("Hyllie (south)")
    await page.get_by_role("button", name="Spara termen").click()
    await page.wait_for_url(f"{url}/vocabularies#voc-districts")
    row = page.locator("tr", has=page.locator(f"code:text-is('{code}')"))
    assert await row.count() == 1 and "Hyllie (south)" in await row.inner_text()
    assert await violations(page) == []
    assert (await registry.http.get("/v1/vocabularies/districts")).json()[code]["labels"]["sv"] == "Hyllie"
    await page.close()


async def test_a_curator_makes_a_language_a_platform_language_and_labels_in_it(walk):
    registry, url, browser = walk
    page = await browser.new_page(locale="sv-SE")
    await sign_in_page(page, url, STAFF_KEYS[Role.curator])
    await page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Ordlistor").click()
    await page.wait_for_url(f"{url}/vocabularies")
    assert await violations(page) == []

    await page.get_by_role("link", name="Ändra fa", exact=True).click()
    assert await page.get_by_label("Namn på språket självt").input_value() == "فارسی"
    await page.get_by_label("Plattformsspråk: sidor").check()
    await page.get_by_role("button", name="Spara termen").click()
    await page.wait_for_url(f"{url}/vocabularies#voc-languages")
    assert (await registry.http.get("/v1/vocabularies/languages")).json()["fa"]["platform"] is True
    assert await violations(page) == []

    await page.get_by_role("link", name="Ändra participation", exact=True).click()
    await page.get_by_label("Etikett (arabiska)").fill("المشاركة")
    await page.get_by_label("Etikett (persiska)").fill("مشارکت")
    await page.get_by_role("button", name="Spara termen").click()
    await page.wait_for_url(f"{url}/vocabularies#voc-themes")
    row = page.locator("tr", has=page.locator("code:text-is('participation')"))
    assert "مشارکت" in await row.inner_text()
    assert await violations(page) == []
    labels = (await registry.http.get("/v1/vocabularies/themes")).json()["participation"]["labels"]
    assert labels == {"sv": "Delaktighet", "en": "Participation", "ar": "المشاركة", "fa": "مشارکت"}

    await page.get_by_label("Ordlista").select_option("themes")
    await page.get_by_label("Kod", exact=True).fill("participation")
    await page.get_by_label("Etikett (svenska)").fill("Delaktighet")
    await page.get_by_label("Etikett (engelska)").fill("Participation")
    await page.get_by_label("Namn på språket självt").fill("Delaktighet")
    await page.get_by_role("button", name="Spara termen").click()  # a language's field on a theme: refused beside it
    assert await page.locator("#f-voc_endonym").get_attribute("aria-invalid") == "true"
    assert await violations(page) == []
    await page.close()
