"""The curator's "changed since stamped" in a real browser (Debian's Chromium, Playwright) against
the real registry: tick the work list's checkbox, find the initiative revised after its stamp,
open it at "changed since the stamp" and follow the link to the stamped revision. axe-core finds
no violation (of any impact) on any page visited."""

import contextlib

import pytest

from shared.auth import Role
from tests.browser import ARTIFACTS, chromium, free_port, served
from tests.console import console, registry_on_a_port, sign_in_page
from tests.e2e.test_console_browser import violations
from tests.integration.test_console_review import stamped_three
from tests.platform import STAFF_KEYS


@pytest.fixture(scope="module")
async def walk(infra, run_id):
    """The registry with the three initiatives of ``stamped_three``, the console, a browser."""
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}rvb"))
        initiatives = await stamped_three(registry)
        url = await stack.enter_async_context(served(console(registry.url), free_port()))
        browser = await stack.enter_async_context(chromium())
        yield url, browser, initiatives


async def test_a_curator_finds_what_changed_after_the_stamp(walk):
    url, browser, (uri, ids) = walk
    page = await browser.new_page(locale="sv-SE")
    await sign_in_page(page, url, STAFF_KEYS[Role.curator])
    await page.goto(f"{url}/review?source={uri}")
    await page.get_by_label("Bara ändrade efter stämpeln").check()
    await page.get_by_role("button", name="Filtrera").click()
    await page.wait_for_url("**changed_since_stamped=true**")
    rows = page.locator("tbody tr")
    assert await rows.count() == 1 and "Demokratisamtal CRV-REVISED" in await rows.inner_text()
    assert await violations(page) == []

    await page.get_by_role("link", name="Demokratisamtal CRV-REVISED").click()
    await page.wait_for_url(f"{url}/initiatives/{ids['CRV-REVISED']}#since-stamp")
    since = page.get_by_role("region", name="Ändrat sedan stämpeln")
    assert "Vi ses i parken i stället." in await since.get_by_role("table").inner_text()
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-changed-since-stamp.png"), full_page=True)
    await since.get_by_role("link", name="1", exact=True).click()
    await page.wait_for_url("**#revision-1")
    assert await page.locator("#revision-1").is_visible()
