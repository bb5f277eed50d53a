"""The scheduler's door in a real browser on a phone's screen (360×740, Debian's Chromium,
Playwright) against the real registry and scheduling: a scheduler signs in, chooses the edition,
opens the session, goes to the door and checks a registrant in by code with the keyboard alone —
the field has the focus on arrival and again after each code. axe-core finds no violation (of any
impact) on any page visited."""

import contextlib

import pytest

from shared.auth import Role
from tests.browser import ARTIFACTS, chromium, free_port, served
from tests.console import console, registry_on_a_port, sign_in_page
from tests.console_scheduling import SCHEDULER, scheduling_on_a_port, session_with_registrations
from tests.e2e.test_console_browser import violations
from tests.platform import STAFF_KEYS

PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
async def door(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}dbr"))
        sched, kafka = await stack.enter_async_context(scheduling_on_a_port(infra, f"{run_id}dbs"))
        session, registrations = await session_with_registrations(sched, kafka, 10, [3, 1])
        port = free_port()
        url = await stack.enter_async_context(served(console(registry.url, scheduling_url=sched.url), port))
        browser = await stack.enter_async_context(chromium())
        yield sched, url, browser, session, registrations


async def focused(page) -> str:
    return await page.evaluate("() => document.activeElement && document.activeElement.id")


async def no_sideways_scroll(page) -> bool:
    return await page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


async def test_a_scheduler_checks_a_registrant_in_by_code_on_a_phone(door):
    sched, url, browser, session, (first, second) = door
    sid = session["session_id"]
    page = await browser.new_page(locale="sv-SE", viewport=PHONE, has_touch=True, is_mobile=True)

    await sign_in_page(page, url, STAFF_KEYS[Role.scheduler])
    await page.get_by_role("link", name="Programpunkter").first.click()
    await page.wait_for_url(f"{url}/schedule")
    assert await violations(page) == []
    await page.get_by_label("Forumperiod", exact=True).select_option(session["edition_id"])
    await page.get_by_role("button", name="Visa").click()
    await page.wait_for_url(f"**/schedule?edition={session['edition_id']}")
    assert await violations(page) == []

    await page.locator(f'a[href="/schedule/sessions/{sid}"]').first.click()
    await page.wait_for_url(f"{url}/schedule/sessions/{sid}")
    assert await page.locator("td.code").all_inner_texts() == [first["code"], second["code"]]
    assert await violations(page) == []

    await page.get_by_role("link", name="Incheckning vid dörren").click()
    await page.wait_for_url(f"{url}/schedule/sessions/{sid}/door")
    assert await focused(page) == "code", "the code field has the focus on arrival"
    assert await no_sideways_scroll(page)
    field, button = await page.locator("#code").bounding_box(), await page.get_by_role("button", name="Checka in").bounding_box()
    assert field["height"] >= 44 and button["height"] >= 44 and field["width"] >= 280, "large touch targets on a 360 px screen"
    assert await violations(page) == []

    await page.keyboard.type(first["code"].lower())  # the keyboard alone; the service takes any case
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    result = page.locator(".door-result")
    assert await result.locator(".door-big").inner_text() == "Incheckad"
    assert "Antal personer 3" in await result.inner_text() and first["code"] in await result.inner_text()
    assert await focused(page) == "code" and await page.locator("#code").input_value() == "", "ready for the next code"
    assert await no_sideways_scroll(page)
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-door-phone.png"), full_page=True)

    await page.keyboard.type("ZZZZZZ")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert await page.locator(".door-big").inner_text() == "Okänd kod för den här programpunkten"
    assert await page.locator("#code").get_attribute("aria-invalid") == "true" and await focused(page) == "code"
    assert await violations(page) == []

    listed = (await sched.http.get(f"/v1/sessions/{sid}/registrations", headers=SCHEDULER)).json()
    assert {r["code"]: r["attended"] for r in listed} == {first["code"]: True, second["code"]: False}
    await page.close()
