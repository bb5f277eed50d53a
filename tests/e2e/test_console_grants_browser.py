"""The curator's grants in a real browser (Debian's Chromium) against the real registry and
scheduling: the page of an edition, a grant saved, one over the budget refused beside its row with
what remains — in Swedish and English, with no axe-core violation on any page visited."""

import contextlib

import pytest

from shared.auth import Role
from tests.browser import ARTIFACTS, chromium, free_port, served
from tests.console import console, sign_in_page
from tests.e2e.test_console_browser import violations
from tests.integration.test_console_grants import book, granted_edition, services  # noqa: F401 - the fixture
from tests.platform import STAFF_KEYS


@pytest.fixture(scope="module")
async def walk(services):  # noqa: F811
    registry, sched = services
    eid, ids = await granted_edition(registry, sched)
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(served(console(registry.url, scheduling_url=sched.url), free_port()))
        browser = await stack.enter_async_context(chromium())
        yield registry, url, browser, eid, ids


async def test_a_curator_grants_in_the_browser_with_no_accessibility_violation(walk):
    registry, url, browser, eid, (first, second) = walk
    page = await browser.new_page(locale="sv-SE")
    await sign_in_page(page, url, STAFF_KEYS[Role.curator])
    await page.get_by_role("link", name="Beviljade medel").first.click()
    await page.wait_for_url(f"{url}/grants/**")
    await page.goto(f"{url}/grants/{eid}")
    assert await violations(page) == []

    await page.get_by_label("Beviljat belopp (kr) för Sånger i Fosie").fill("70000")
    async with page.expect_navigation(url=f"{url}/grants/{eid}#row-{first}"):
        await page.locator(f"#row-{first} button").click()
    assert (await page.locator("#remaining").inner_text()).replace("\u00a0", " ") == "30 000 kr"
    assert await violations(page) == []

    field = page.get_by_label("Beviljat belopp (kr) för Samtal i Rosengård")
    await field.fill("50000")
    await page.locator(f"#row-{second} button").click()
    await page.wait_for_load_state()
    error = page.locator(f"#amount-{second}-error")
    assert await error.is_visible() and "30" in await error.inner_text()
    assert await field.get_attribute("aria-invalid") == "true"
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-grants.png"), full_page=True)
    assert (await book(registry, eid))["granted"] == {first: 70_000}

    await page.goto(f"{url}/grants/{eid}?lang=en")
    assert await page.locator("html").get_attribute("lang") == "en"
    assert await page.get_by_label("Granted (SEK) for Samtal i Rosengård").is_visible()
    assert await violations(page) == []
    await page.close()
