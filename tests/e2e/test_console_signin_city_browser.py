"""Signing in with the city's account in a real browser (Debian's Chromium, Playwright): the
console's sign-in page, the button, the real provider's form (``oidc-provider-mock``) answered
with the person, back to the console signed in as a curator, on to the work list. axe-core
finds no violation on the console's pages visited (the provider's pages are not ours)."""

import contextlib

import pytest

from tests.browser import ARTIFACTS, chromium, free_port, served
from tests.console import console, registry_on_a_port
from tests.e2e.test_console_browser import violations
from tests.oidc import CLIENT_ID, CLIENT_SECRET, CURATORS, ROLE_GROUPS, provider, set_user


@pytest.fixture(scope="module")
async def walk(infra, run_id):
    with provider() as issuer:
        async with contextlib.AsyncExitStack() as stack:
            registry = await stack.enter_async_context(
                registry_on_a_port(infra, f"{run_id}oc", oidc_issuer=issuer, oidc_role_groups=ROLE_GROUPS))
            app = console(registry.url, oidc_issuer=issuer, oidc_client_id=CLIENT_ID, oidc_client_secret=CLIENT_SECRET, console_url="")
            url = await stack.enter_async_context(served(app, free_port()))
            browser = await stack.enter_async_context(chromium())
            yield issuer, url, browser


async def test_a_curator_signs_in_with_the_city_account_in_the_browser(walk):
    issuer, url, browser = walk
    await set_user(issuer, "anna.lind", groups=[CURATORS], name="Anna Lind")
    page = await browser.new_page(locale="sv-SE")

    await page.goto(f"{url}/review")
    assert page.url == f"{url}/signin"
    assert await violations(page) == []
    await page.get_by_role("link", name="Logga in med stadens konto").click()
    await page.wait_for_url(f"{issuer}/oauth2/authorize?*")  # the provider's own page
    await page.get_by_placeholder("sub").fill("anna.lind")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{url}/")
    assert "Anna Lind" in await page.locator("header").inner_text()
    assert await violations(page) == []

    await page.get_by_role("link", name="Granskningslista").first.click()
    await page.wait_for_url(f"{url}/review")
    assert await page.get_by_role("heading", level=1).inner_text() == "Granskningslista"
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-city-sign-in.png"), full_page=True)
    cookies = {c["name"]: c for c in await page.context.cookies(url)}
    assert cookies["om_console"]["httpOnly"] and cookies["om_console"]["sameSite"] == "Strict"
    assert "om_console_login" not in cookies
    await page.close()


async def test_a_denial_at_the_provider_is_said_on_the_sign_in_page(walk):
    issuer, url, browser = walk
    page = await browser.new_page(extra_http_headers={"accept-language": "en"})
    await page.goto(f"{url}/signin")
    await page.get_by_role("link", name="Sign in with the city's account").click()
    await page.wait_for_url(f"{issuer}/oauth2/authorize?*")
    await page.get_by_role("button", name="Deny").click()
    await page.wait_for_url(f"{url}/signin/city/done?*")
    assert await page.locator("#city-error").is_visible()
    assert "cancelled or refused" in await page.locator("#city-error").inner_text()
    assert await violations(page) == []
    await page.close()
