"""The dashboard in a real browser (headless Chromium, Debian's package): both languages, charts
with their data tables, no serious or critical accessibility violation (axe-core), a screenshot
kept in test-artifacts/."""

import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from tests.integration.test_reporting_service import EDITION, programme_counted, publish_the_programme
from tests.browser import ARTIFACTS, chromium, free_port, serious_violations, served as serving
from tests.platform import Platform, eventually, settings_for
from tests.vocabulary_events import publish_vocabularies



@contextlib.asynccontextmanager
async def reporting_served(infra, prefix: str, publish, counted, what: str) -> AsyncIterator[str]:
    """Reporting behind a real uvicorn server (the browser cannot reach an in-process client), its
    base URL once ``publish(p)`` on this run's topics is ``counted(p)`` and the registry's seeded
    vocabularies are followed (the platform's languages: the pages' language menu)."""
    run_id = f"{prefix}{uuid.uuid4().hex[:8]}"
    port = free_port()
    settings = settings_for(ReportingSettings, infra, run_id, http_port=port)
    async with Platform.start(infra, run_id) as p:  # only for its Kafka client and clean-up
        p.settings["reporting"] = settings
        async with serving(create_app(settings), port) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
            p.http["reporting"] = http
            await publish_vocabularies(p.kafka)
            await publish(p)
            await eventually(lambda: counted(p), timeout=60, what=what)
            await eventually(lambda: _arabic_offered(http), timeout=60, what="reporting to follow the languages vocabulary")
            yield base


async def _arabic_offered(http: httpx.AsyncClient) -> bool:
    return 'dir="rtl"' in (await http.get("/dashboard", params={"lang": "ar"})).text


@pytest.fixture(scope="module")
async def served(infra):
    """Reporting fed with a programme published on this run's topics."""
    async with reporting_served(infra, "d", publish_the_programme, programme_counted, "reporting to count the programme") as base:
        yield base


async def test_the_dashboard_shows_the_figures_accessibly_in_both_languages(served):
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1100, "height": 900})
        external: list[str] = []
        page.on("request", lambda req: None if req.url.startswith(served) else external.append(req.url))

        await page.goto(f"{served}/dashboard?edition={EDITION}&lang=sv")
        assert await page.get_attribute("html", "lang") == "sv"
        assert await page.locator("h1").inner_text() == "Öppna Malmö i siffror"
        # six of the unified picture, three of the follow-up (granted, reported reach, mean score)
        assert await page.locator("figure svg[role=img]").count() == 9
        assert await page.locator("figure figcaption").count() == 9
        assert await page.locator("table").count() == 9
        assert "Inlämnade initiativ per tema" in await page.locator("h3").all_inner_texts()
        # Fosie has 3 initiatives: suppressed on the public page
        district = page.locator("section[aria-labelledby=by-district-heading] tbody tr", has_text="Fosie")
        assert (await district.locator("td").inner_text()) == ".."
        budget = await page.locator("section[aria-labelledby=budget-heading] table").inner_text()
        assert "3\u00a0780\u00a0000" in budget

        assert await serious_violations(page) == []
        await page.screenshot(path=str(ARTIFACTS / "reporting-dashboard.png"), full_page=True)

        await page.click("text=English")
        await page.wait_for_load_state()
        assert await page.get_attribute("html", "lang") == "en"
        assert await page.locator("h1").inner_text() == "Open Malmö in figures"
        assert await serious_violations(page) == []
        assert external == [], "everything is served by the service"

        response = await page.goto(f"{served}/dashboard?edition=om-1999")
        assert response.status == 404
    assert (ARTIFACTS / "reporting-dashboard.png").stat().st_size > 10_000
