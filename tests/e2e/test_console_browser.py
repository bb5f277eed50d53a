"""The console in a real browser (Debian's Chromium, Playwright) against the real registry: a
curator signs in, filters the work list, opens an initiative, starts the review and requests
changes with a comment — the review form used with the keyboard alone — and sees the step.
axe-core finds no violation (of any impact) on any page visited."""

import contextlib
import uuid

import pytest

from shared.auth import Role
from tests.browser import ARTIFACTS, chromium, free_port, served
from tests.console import console, registry_on_a_port
from tests.platform import STAFF_KEYS, as_role, as_source, register_source, submission


async def violations(page) -> list[tuple[str, str, str]]:
    """Every axe-core violation on the page, whatever its impact."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [(v["id"], v.get("impact"), v["help"]) for v in results.response["violations"]]


async def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element ``selector`` has the focus (the keyboard only)."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus with Tab")


@pytest.fixture(scope="module")
async def walk(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}cb"))
        uri = f"urn:malmo:source:cb-{uuid.uuid4().hex[:6]}"
        key = await register_source(registry.http, uri, kind="civil_society", name="Föreningen Ljus")
        ours = submission(uri, "CB-1", title={"sv": "Samtal i Rosengård", "en": "Talks in Rosengård"},
                          organizer={"kind": "civil_society", "name": "Föreningen Ljus"})
        other = submission(uri, "CB-2", title={"sv": "Förvaltningens möte", "en": "The department's meeting"})
        ids = []
        for event in (ours, other):
            r = await registry.http.post("/v1/submissions", json=event, headers=as_source(key))
            assert r.status_code == 202, r.text
            ids.append(r.json()["initiative_id"])
        port = free_port()
        url = await stack.enter_async_context(served(console(registry.url), port))
        browser = await stack.enter_async_context(chromium())
        yield registry, url, browser, ids


async def test_a_curator_reviews_in_the_browser_with_no_accessibility_violation(walk):
    registry, url, browser, (ours, other) = walk
    page = await browser.new_page(locale="sv-SE")  # Accept-Language: the pages come in Swedish
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((url + "/", "data:")) else outside.append(r.url))

    await page.goto(f"{url}/")
    assert page.url == f"{url}/signin"
    assert await violations(page) == []
    await page.get_by_label("Nyckel").fill(STAFF_KEYS[Role.curator])
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{url}/")
    assert await violations(page) == []

    await page.get_by_role("link", name="Granskningslista").first.click()
    await page.wait_for_url(f"{url}/review")
    assert await page.locator("tbody tr").count() == 2
    assert await violations(page) == []
    await page.get_by_label("Arrangörstyp").select_option("civil_society")
    await page.get_by_role("button", name="Filtrera").click()
    await page.wait_for_url("**/review?*organizer_kind=civil_society*")
    assert await page.locator("tbody tr").count() == 1
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-work-list.png"), full_page=True)

    await page.get_by_role("link", name="Samtal i Rosengård").click()
    await page.wait_for_url(f"{url}/initiatives/{ours}")
    assert await violations(page) == []

    # The review form with the keyboard alone: Tab to the button, Enter; then the comment, and Tab on.
    await tab_to(page, 'button[value="in_review"]')
    async with page.expect_navigation(url=f"{url}/initiatives/{ours}#steps"):
        await page.keyboard.press("Enter")
    assert await page.locator(".steps li").count() == 1
    await tab_to(page, "#comment")
    await page.keyboard.type("Ange lokal och tider, tack.")
    await tab_to(page, 'button[value="changes_requested"]')
    async with page.expect_navigation(url=f"{url}/initiatives/{ours}#steps"):  # the same URL again: wait for the load
        await page.keyboard.press("Enter")
    steps = page.locator(".steps li")
    assert await steps.count() == 2
    assert "Ändringar begärda" in await steps.nth(1).inner_text() and "Ange lokal och tider, tack." in await steps.nth(1).inner_text()
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-initiative.png"), full_page=True)

    state = (await registry.http.get(f"/v1/initiatives/{ours}", headers=as_role(Role.curator))).json()
    assert state["status"] == "changes_requested" and state["review"]["comment"] == "Ange lokal och tider, tack."
    assert outside == [], f"the console loads nothing from elsewhere: {outside}"
    await page.close()


async def test_a_refusal_is_beside_the_comment_and_the_english_pages_have_no_violation(walk):
    registry, url, browser, (_, other) = walk
    page = await browser.new_page(extra_http_headers={"accept-language": "en"})
    await page.goto(f"{url}/signin")
    assert await page.locator("html").get_attribute("lang") == "en"
    await page.get_by_label("Key").fill("om_wrong_key")
    await page.get_by_role("button", name="Sign in").click()
    assert await page.get_by_text("The key was not accepted").is_visible()
    assert await violations(page) == []
    await page.get_by_label("Key").fill(STAFF_KEYS[Role.curator])
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{url}/")
    await page.goto(f"{url}/initiatives/{other}")
    await page.get_by_role("button", name="Reject").click()  # no comment: the registry refuses
    error = page.locator("#comment-error")
    assert await error.is_visible() and "(missing)" in await error.inner_text()
    assert await page.locator("#comment").get_attribute("aria-invalid") == "true"
    assert await violations(page) == []
    await page.close()
