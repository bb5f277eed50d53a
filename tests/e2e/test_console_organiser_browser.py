"""The organiser's walk in a real browser (Debian's Chromium, Playwright) against the real registry:
sign in with the source's key, submit a new initiative with an error, see the registry's reason
beside the field with everything typed kept, fix it, and see it in /mine; then open the revision
form and withdraw it after the confirmation step. Then, on a phone's screen against the registry and
scheduling (which learns the publisher's key from registry.sources.v1): its sessions with their
counts, and the door of its own session, where it checks a registrant in by code. axe-core finds
no violation (of any impact) on any page visited."""

import contextlib
import uuid

import pytest

from shared.auth import Role
from tests.browser import ARTIFACTS, chromium, free_port, served
from tests.console import console, registry_on_a_port, sign_in_page
from tests.console_forms import fill_initiative_without_its_swedish_title
from tests.console_scheduling import SCHEDULER, scheduling_on_a_port, session_with_registrations
from tests.e2e.test_console_browser import violations
from tests.e2e.test_console_scheduler_browser import PHONE, focused, no_sideways_scroll
from tests.platform import as_role, as_source, eventually, register_source


@pytest.fixture(scope="module")
async def walk(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}ob"))
        uri = f"urn:malmo:source:ob-{uuid.uuid4().hex[:6]}"
        key = await register_source(registry.http, uri, kind="civil_society", name="Föreningen Ljus")
        port = free_port()
        url = await stack.enter_async_context(served(console(registry.url), port))
        browser = await stack.enter_async_context(chromium())
        yield registry, url, browser, uri, key


async def test_an_organiser_submits_fixes_an_error_and_sees_it_in_mine(walk):
    registry, url, browser, uri, key = walk
    page = await browser.new_page(locale="sv-SE")
    await page.goto(f"{url}/signin")
    await page.get_by_label("Nyckel").fill(key)
    await page.get_by_role("button", name="Logga in").click()
    await page.wait_for_url(f"{url}/")
    await page.get_by_role("link", name="Skicka in ett nytt initiativ").first.click()
    await page.wait_for_url(f"{url}/submit")
    assert await violations(page) == []

    await fill_initiative_without_its_swedish_title(page, "Talks in Rosengård", "Samtal om demokrati i Rosengård.")
    await page.get_by_label("Väntat antal deltagare").fill("40")
    await page.get_by_role("button", name="Skicka in").click()
    await page.wait_for_url(f"{url}/submit")
    error = page.locator("#f-title\\.sv-error")
    assert await error.is_visible()
    assert await page.get_by_label("Titel (svenska)").get_attribute("aria-invalid") == "true"
    assert await page.get_by_label("Titel (engelska, valfri)").input_value() == "Talks in Rosengård", "what was typed is kept"
    assert await page.get_by_label("Väntat antal deltagare").input_value() == "40"
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-organiser-error.png"), full_page=True)

    await page.get_by_label("Titel (svenska)").fill("Samtal i Rosengård")
    await page.get_by_role("button", name="Skicka in").click()
    await page.wait_for_url("**/received?what=submitted")
    assert await page.get_by_text("Registret har tagit emot initiativet").is_visible()
    assert await violations(page) == []

    await page.get_by_role("link", name="Mina initiativ").first.click()
    await page.wait_for_url(f"{url}/mine")
    row = page.locator("tbody tr", has_text="Samtal i Rosengård")
    assert await row.count() == 1 and "Inskickat" in await row.inner_text()
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-organiser-mine.png"), full_page=True)

    items = (await registry.http.get("/v1/initiatives", params={"source": uri}, headers=as_role(Role.curator))).json()["items"]
    assert [i["content"]["title"]["sv"] for i in items] == ["Samtal i Rosengård"]

    # The revision form (filled) and the withdrawal's confirmation step have no violation either.
    await row.get_by_role("link", name="Samtal i Rosengård").click()
    await page.get_by_role("link", name="Ändra initiativet").click()
    await page.wait_for_url("**/revise")
    assert await page.get_by_label("Titel (svenska)").input_value() == "Samtal i Rosengård"
    assert await violations(page) == []
    await page.go_back()
    await page.get_by_role("link", name="Återkalla initiativet").click()
    await page.wait_for_url("**/withdraw")
    assert await violations(page) == []
    await page.get_by_role("button", name="Ja, återkalla").click()
    await page.wait_for_url("**/received?what=withdrawn")
    assert await page.get_by_text("Registret har tagit emot återkallelsen").is_visible()
    assert await violations(page) == []
    await page.close()


@pytest.fixture(scope="module")
async def door(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}odb"))
        sched, kafka = await stack.enter_async_context(scheduling_on_a_port(infra, f"{run_id}odb"))  # the registry's topics
        uri = f"urn:malmo:source:odb-{uuid.uuid4().hex[:6]}"
        key = await register_source(registry.http, uri, kind="civil_society", name="Föreningen Ljus")

        async def known():
            return (await sched.http.get("/v1/my/sessions", headers=as_source(key))).status_code == 200

        await eventually(known, what="the publisher's key at scheduling")
        session, registrations = await session_with_registrations(sched, kafka, 10, [3, 1], source=uri)
        port = free_port()
        url = await stack.enter_async_context(served(console(registry.url, scheduling_url=sched.url), port))
        browser = await stack.enter_async_context(chromium())
        yield sched, url, browser, session, registrations, key


async def test_an_organiser_sees_its_sessions_and_checks_in_at_its_door_on_a_phone(door):
    sched, url, browser, session, (first, second), key = door
    sid = session["session_id"]
    page = await browser.new_page(locale="sv-SE", viewport=PHONE, has_touch=True, is_mobile=True)
    await sign_in_page(page, url, key)
    await page.get_by_role("link", name="Mina programpunkter").first.click()
    await page.wait_for_url(f"{url}/mine/sessions")
    item = page.locator("li.my-session")
    assert await item.count() == 1
    assert [c.strip() for c in await item.locator("dd").all_inner_texts()] == ["10", "4", "0", "0"]
    assert await no_sideways_scroll(page)
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-organiser-sessions-phone.png"), full_page=True)

    await item.get_by_role("link", name="Checka in vid dörren").click()
    await page.wait_for_url(f"{url}/schedule/sessions/{sid}/door")
    assert await focused(page) == "code" and await no_sideways_scroll(page)
    assert await violations(page) == []
    await page.keyboard.type(second["code"])
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    result = page.locator(".door-result")
    assert await result.locator(".door-big").inner_text() == "Incheckad" and second["code"] in await result.inner_text()
    assert await focused(page) == "code" and await no_sideways_scroll(page)
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-organiser-door-phone.png"), full_page=True)

    await page.get_by_role("link", name="Mina programpunkter").first.click()
    await page.wait_for_url(f"{url}/mine/sessions")
    assert (await page.locator("li.my-session dd").all_inner_texts())[3].strip() == "1"
    listed = (await sched.http.get(f"/v1/sessions/{sid}/registrations", headers=SCHEDULER)).json()
    assert {r["code"]: r["attended"] for r in listed} == {first["code"]: False, second["code"]: True}
    await page.close()
