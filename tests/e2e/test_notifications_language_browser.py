"""The subscription pages in a real browser (headless Chromium, Debian's package), in every
platform language: the sign-up form (and its refusal beside the field), what comes next, the
confirm page and the unsubscribe page — ``<html lang dir>``, no axe-core violation of any impact
(issue 28). A screenshot of the Arabic sign-up form is kept in test-artifacts/."""

import uuid

import pytest

from services.notifications.domain import tokens
from tests.browser import ARTIFACTS, chromium
from tests.e2e.test_console_browser import violations
from tests.integration.test_notifications_delivery import notifications_env

LANGUAGES = (("sv", "ltr"), ("en", "ltr"), ("ar", "rtl"))


@pytest.fixture(scope="module")
async def env(infra, run_id):
    async with notifications_env(infra, f"{run_id}b{uuid.uuid4().hex[:4]}") as e:
        yield e


async def _checked(page, lang: str, direction: str) -> None:
    assert await page.get_attribute("html", "lang") == lang and await page.get_attribute("html", "dir") == direction
    assert await violations(page) == [], (page.url, lang)


@pytest.mark.parametrize(("lang", "direction"), LANGUAGES)
async def test_the_subscription_pages_in_every_language_have_no_violation(env, lang, direction):
    base, secret = env.settings.public_base_url, env.settings.token_secret
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        await page.goto(f"{base}/subscribe?lang={lang}")
        await _checked(page, lang, direction)
        if lang == "ar":
            await page.screenshot(path=str(ARTIFACTS / "notifications-subscribe-ar.png"), full_page=True)
        await page.fill("#email", "not-an-address")
        await page.check("input[name=consent]")
        await page.click("button[type=submit]")
        await page.wait_for_load_state()
        assert await page.get_attribute("#email", "aria-invalid") == "true"
        await _checked(page, lang, direction)
        await page.fill("#email", f"{uuid.uuid4().hex[:8]}@example.org")
        await page.check("input[name=consent]")
        await page.click("button[type=submit]")
        await page.wait_for_load_state()
        await _checked(page, lang, direction)

        await page.goto(f"{base}/v1/subscriptions/confirm?token={tokens.sign(secret, 'confirm', 'no-such')}&lang={lang}")
        await _checked(page, lang, direction)
        await page.goto(f"{base}/v1/unsubscribe/{tokens.sign(secret, 'unsubscribe', 'subscription:no-such')}?lang={lang}")
        await _checked(page, lang, direction)
        await page.click("button[type=submit]")
        await page.wait_for_load_state()
        await _checked(page, lang, direction)
