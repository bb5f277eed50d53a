"""Reporting's pages in Arabic in a real browser (headless Chromium, Debian's package): the
dashboard and the follow-up page right-to-left, Arabic words, labels not codes, the language menu
leading back to Swedish, and no axe-core violation of any impact (issue 28)."""

import re

import pytest

from tests.browser import ARTIFACTS, chromium
from tests.e2e.test_console_browser import violations
from tests.e2e.test_reporting_dashboard import reporting_served
from tests.integration.test_reporting_follow_up import EDITION, follow_up_counted, publish_the_follow_up


@pytest.fixture(scope="module")
async def served(infra):
    """Reporting fed with grants, reports and feedback on this run's topics, the vocabularies followed."""
    async with reporting_served(infra, "ar", publish_the_follow_up, follow_up_counted, "reporting to follow grants, reports and feedback") as base:
        yield base


@pytest.mark.parametrize(("path", "title"), [("/dashboard", "Öppna Malmö بالأرقام"), ("/follow-up", "متابعة Öppna Malmö")])
async def test_the_page_in_arabic_is_right_to_left_and_has_no_violation(served, path, title):
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1100, "height": 900})
        await page.goto(f"{served}{path}?edition={EDITION}&lang=ar")
        assert await page.get_attribute("html", "lang") == "ar" and await page.get_attribute("html", "dir") == "rtl"
        assert (await page.locator("h1").inner_text()).startswith(title)
        body = await page.locator("main").inner_text()
        assert not re.findall(r"\b[a-z]+_[a-z_]+\b", body), "no code or missing key"
        assert "المجموع" in body or path == "/dashboard"
        direction = await page.evaluate("getComputedStyle(document.querySelector('th')).textAlign")
        assert direction in ("start", "right"), direction  # the tables mirror
        assert await violations(page) == []
        await page.screenshot(path=str(ARTIFACTS / f"reporting{path.replace('/', '-')}-ar.png"), full_page=True)

        await page.click("nav >> text=Svenska")
        await page.wait_for_load_state()
        assert await page.get_attribute("html", "lang") == "sv" and await page.get_attribute("html", "dir") == "ltr"
