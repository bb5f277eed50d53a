"""The survey's answer page and the console's feedback page in a real browser (Debian's Chromium,
Playwright), against the real notifications service and registry on real ports: a participant
answers on a phone-sized screen (Swedish, then Arabic right to left) without JavaScript; a curator
reads and releases the comment. axe-core finds no violation on any page visited."""

import contextlib
import uuid

import pytest

from services.notifications.main import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from shared.auth import Role
from tests.browser import ARTIFACTS, chromium, free_port, served
from tests.console import console, on_a_port, registry_on_a_port, sign_in_page
from tests.e2e.test_console_browser import violations
from tests.integration.test_console_feedback import survey_link
from tests.platform import STAFF_KEYS, RawKafka, eventually
from tests.vocabulary_events import publish_vocabularies

PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
async def walk(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}fwr"))
        notifications = await stack.enter_async_context(on_a_port(infra, f"{run_id}fwn", notifications_app, NotificationsSettings))
        # notifications offers a language once the languages vocabulary marks it platform: as a registry would tell it
        kafka = await stack.enter_async_context(RawKafka(infra.kafka, f"{run_id}fwn."))
        await publish_vocabularies(kafka)

        async def arabic_offered():
            return 'dir="rtl"' in (await notifications.http.get("/subscribe", params={"lang": "ar"})).text or None

        await eventually(arabic_offered, what="notifications to follow the languages vocabulary")
        url = await stack.enter_async_context(served(console(registry.url, notifications_url=notifications.url), free_port()))
        browser = await stack.enter_async_context(chromium())
        yield notifications, url, browser, f"{run_id}fwn_notifications"


async def test_a_participant_answers_on_a_phone_and_a_curator_releases_the_comment(infra, walk):
    notifications, url, browser, database = walk
    iid = f"i-{uuid.uuid4().hex[:6]}"
    page = await browser.new_page(viewport=PHONE, locale="sv-SE")
    token = await survey_link(infra, database, iid)
    await page.goto(f"{notifications.url}/feedback/{token}?lang=sv&score=4")
    assert await page.get_by_label("4 – bra").is_checked()
    assert await page.locator("script").count() == 0  # it needs no JavaScript: a plain form
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling at 360 px"
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "feedback-answer-phone.png"), full_page=True)
    await page.get_by_label("Ja", exact=True).check()
    await page.get_by_label("Kommentar (frivillig)").fill("Trevligt och lärorikt")
    await page.get_by_role("button", name="Skicka").click()
    await page.get_by_role("heading", name="Tack för ditt svar!").wait_for()
    assert await violations(page) == []
    await page.goto(f"{notifications.url}/feedback/{token}?lang=sv&score=2")
    await page.get_by_role("heading", name="Du har redan svarat").wait_for()
    assert await violations(page) == []

    arabic = await survey_link(infra, database, iid)
    await page.goto(f"{notifications.url}/feedback/{arabic}?lang=ar&score=5")
    assert await page.get_attribute("html", "dir") == "rtl"
    assert await violations(page) == []
    await page.get_by_role("button", name="إرسال").click()
    await page.get_by_role("heading", name="شكرًا على إجابتك!").wait_for()
    assert await violations(page) == []
    await page.close()

    staff = await browser.new_page(locale="sv-SE")
    await sign_in_page(staff, url, STAFF_KEYS[Role.curator])
    await staff.get_by_role("link", name="Synpunkter").first.click()
    await staff.wait_for_url(f"{url}/feedback")
    assert await violations(staff) == []
    await staff.get_by_label("Initiativets id").fill(iid)
    await staff.get_by_role("button", name="Visa").click()
    await staff.wait_for_url(f"{url}/feedback?initiative={iid}")
    assert await staff.get_by_text("Trevligt och lärorikt").count() == 1
    assert await violations(staff) == []
    await staff.get_by_role("button", name="Släpp till arrangören").click()
    await staff.wait_for_url(f"{url}/feedback?initiative={iid}*")
    assert await staff.get_by_role("button", name="Släpp till arrangören").count() == 0
    assert await violations(staff) == []
    await staff.screenshot(path=str(ARTIFACTS / "console-feedback.png"), full_page=True)
