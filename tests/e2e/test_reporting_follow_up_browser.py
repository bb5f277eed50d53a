"""The follow-up page for the city board in a real browser (headless Chromium, Debian's package):
both languages, the print stylesheet applied when printed, suppressed figures, no axe-core
violation of any impact; a PDF of the printed page and a screenshot kept in test-artifacts/."""

import pytest

from tests.browser import ARTIFACTS, chromium
from tests.e2e.test_console_browser import violations
from tests.e2e.test_reporting_dashboard import reporting_served
from tests.integration.test_reporting_follow_up import EDITION, follow_up_counted, publish_the_follow_up


@pytest.fixture(scope="module")
async def served(infra):
    """Reporting fed with grants, reports and feedback on this run's topics."""
    async with reporting_served(infra, "fu", publish_the_follow_up, follow_up_counted, "reporting to follow grants, reports and feedback") as base:
        yield base


async def test_the_follow_up_page_prints_and_has_no_accessibility_violation(served):
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1100, "height": 900})
        external: list[str] = []
        page.on("request", lambda req: None if req.url.startswith(served) else external.append(req.url))

        await page.goto(f"{served}/follow-up?edition={EDITION}&lang=sv")
        assert await page.get_attribute("html", "lang") == "sv"
        assert (await page.locator("h1").inner_text()).startswith("Uppföljning av Öppna Malmö")
        money = await page.locator("section[aria-labelledby=money-heading] table").inner_text()
        assert "350\u00a0000" in money and "3\u00a0780\u00a0000" in money
        joint = page.locator("section[aria-labelledby=reports-heading] tbody tr", has_text="Samverkansinitiativ")
        assert await joint.locator("td").inner_text() == ".."  # three: suppressed
        assert await violations(page) == []
        await page.screenshot(path=str(ARTIFACTS / "reporting-follow-up.png"), full_page=True)

        await page.emulate_media(media="print")
        assert not await page.locator("form").is_visible(), "the edition chooser is not printed"
        await page.pdf(path=str(ARTIFACTS / "reporting-follow-up.pdf"), format="A4")
        await page.emulate_media(media="screen")

        await page.click("text=English")
        await page.wait_for_load_state()
        assert await page.get_attribute("html", "lang") == "en"
        assert (await page.locator("h1").inner_text()).startswith("Follow-up of Open Malmö")
        assert await violations(page) == []
        assert external == [], "everything is served by the service"
    assert (ARTIFACTS / "reporting-follow-up.pdf").stat().st_size > 5_000
