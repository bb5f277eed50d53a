"""The analyst's walk in a real browser (Debian's Chromium, Playwright) against the real registry
and reporting: sign in with the analyst's key, follow the nav to the analysis page, see the
unsuppressed headline figures and the dashboard's link, choose the edition and download an export
through the console. axe-core finds no violation (of any impact) on any page visited."""

import contextlib

import pytest

from shared.auth import Role
from tests.browser import ARTIFACTS, chromium, free_port, served
from tests.console import console, registry_on_a_port, sign_in_page
from tests.e2e.test_console_browser import violations
from tests.integration.test_console_analysis import EDITION, reporting_with_figures
from tests.platform import STAFF_KEYS


@pytest.fixture(scope="module")
async def walk(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}abr"))
        reporting = await stack.enter_async_context(reporting_with_figures(infra, f"{run_id}abp"))
        url = await stack.enter_async_context(served(console(registry.url, reporting_url=reporting.url), free_port()))
        browser = await stack.enter_async_context(chromium())
        yield reporting, url, browser


async def test_an_analyst_finds_the_figures_and_downloads_an_export(walk):
    reporting, url, browser = walk
    page = await browser.new_page(locale="sv-SE", accept_downloads=True)
    await sign_in_page(page, url, STAFF_KEYS[Role.analyst])
    assert await violations(page) == []
    await page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Analys").click()
    await page.wait_for_url(f"{url}/analysis")
    assert await page.get_by_role("heading", level=1).inner_text() == "Analys och statistik"
    figures = page.get_by_role("table", name="Nyckeltal per forumperiod, utan röjandeskydd")
    assert "Öppna Malmö 2025" in await figures.inner_text()
    dashboard = page.get_by_role("link", name="Öppna instrumentpanelen")
    assert await dashboard.get_attribute("href") == f"{reporting.url}/dashboard?edition={EDITION}&lang=sv"
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-analysis.png"), full_page=True)

    await page.get_by_label("Forumperiod", exact=True).select_option(EDITION)
    await page.get_by_role("button", name="Visa exporterna").click()
    await page.wait_for_url(f"{url}/analysis?edition={EDITION}")
    async with page.expect_download() as info:
        await page.get_by_role("link", name="CSV – Initiativ — Tema").click()
    download = await info.value
    assert download.suggested_filename == f"oppna-malmo-{EDITION}-initiatives-theme.csv"
    assert (await download.path()).read_bytes().startswith("\ufeff".encode())
    assert await violations(page) == []

    await page.goto(f"{url}/analysis?lang=en")
    assert await page.get_by_role("heading", level=1).inner_text() == "Analysis and statistics"
    assert await violations(page) == []
