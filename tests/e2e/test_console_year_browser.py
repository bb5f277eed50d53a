"""The whole year through the console and the public pages, in a real browser (Debian's Chromium,
Playwright), with nothing but the browser doing the work — the four services, the console and
the local mailbox run on real ports over the real broker and database:

a curator registers an association and hands its key over → the organiser signs in, submits an
initiative with a field wrong (the reason beside it), fixes and sends it → the curator requests a
change → the organiser revises → the curator approves (stamps) → a scheduler sets up the edition
and a venue, adds the initiative's session, asks for the placement, accepts and publishes → a
resident registers on the programme page → the scheduler moves the session and the resident's
email arrives at the local mailbox → the organiser checks the resident in by code at its own
session → the analyst sees one attended.

axe-core finds no violation (of any impact) on any console or public page visited. With
``UPDATE_SCREENSHOTS=1`` the README's screenshots (docs/screenshots/) are taken again.
"""

import contextlib
import os
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.notifications.devservers import SmtpSink
from services.notifications.main import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from services.registry.main import create_app as registry_app
from services.registry.settings import RegistrySettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.scheduling.main import create_app as scheduling_app
from shared.auth import Role
from tests.browser import ARTIFACTS, chromium, free_port, served
from tests.console import console, on_a_port, sign_in_page
from tests.console_forms import add_venue, fill_initiative_without_its_swedish_title
from tests.e2e.test_console_browser import violations
from tests.integration.test_scheduling_support import DoorOpensDaysAhead, days_ahead
from tests.platform import STAFF_KEYS, eventually

TZ = ZoneInfo("Europe/Stockholm")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
README_PICTURES = {"console-organiser-error", "console-placement-proposal", "console-door"}


@pytest.fixture(scope="module")
async def year(infra, run_id):
    """Every service on one run's topics (so each hears the others, as in production), the mailbox,
    the console in front, and a browser."""
    run = f"{run_id}yr"
    async with contextlib.AsyncExitStack() as stack:
        sink = SmtpSink().start()
        stack.callback(sink.stop)
        registry = await stack.enter_async_context(on_a_port(infra, run, registry_app, RegistrySettings))
        sched = await stack.enter_async_context(on_a_port(infra, run, scheduling_app, DoorOpensDaysAhead))
        await stack.enter_async_context(on_a_port(infra, run, notifications_app, NotificationsSettings, smtp_port=sink.port,
                                                  quiet_start_hour=24, quiet_end_hour=0, timer_interval_s=0.2,
                                                  change_debounce_s=1))  # a move is told after 1 s, not after 5 min of quiet
        reporting = await stack.enter_async_context(on_a_port(infra, run, reporting_app, ReportingSettings))
        url = await stack.enter_async_context(served(console(registry.url, scheduling_url=sched.url, reporting_url=reporting.url), free_port()))
        browser = await stack.enter_async_context(chromium())
        yield {"registry": registry, "scheduling": sched, "reporting": reporting, "console": url, "sink": sink, "browser": browser}


async def seen(page, name: str | None = None) -> None:
    """The page has no accessibility violation; with ``name`` it is photographed (test artifacts), and
    with UPDATE_SCREENSHOTS=1 the README's pictures (``README_PICTURES``) are taken again."""
    assert await violations(page) == [], page.url
    if name:
        await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        if name in README_PICTURES and os.environ.get("UPDATE_SCREENSHOTS"):
            DOCS.mkdir(exist_ok=True)
            await page.screenshot(path=str(DOCS / f"{name}.png"))


def day(n: int) -> str:
    return days_ahead(n).astimezone(TZ).date().isoformat()


async def as_person(y, key: str):
    """A browser of one's own (its own cookies), signed in with ``key``."""
    context = await y["browser"].new_context(locale="sv-SE")
    page = await context.new_page()
    await sign_in_page(page, y["console"], key)
    await seen(page)
    return page


async def curator_registers_the_association(y) -> str:
    url = y["console"]
    page = await as_person(y, STAFF_KEYS[Role.curator])
    await page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Utgivare").click()
    await page.wait_for_url(f"{url}/sources")
    await page.get_by_label("Utgivare (käll-URI)").fill(f"urn:malmo:source:ljus-{uuid.uuid4().hex[:6]}")
    await page.get_by_label("Typ av utgivare").select_option("civil_society")
    await page.get_by_label("Namn (svenska)").fill("Föreningen Ljus")
    await page.get_by_label("Namn (engelska)").fill("The Light Association")
    await page.get_by_role("button", name="Registrera").click()
    await page.get_by_role("heading", name="Den nya nyckeln").wait_for()
    await seen(page)
    key = await page.get_by_label("API-nyckel").input_value()
    await page.context.close()
    return key


async def organiser_submits_with_an_error_then_fixed(page, url: str, title: str) -> None:
    await page.get_by_role("link", name="Skicka in ett nytt initiativ").first.click()
    await page.wait_for_url(f"{url}/submit")
    await fill_initiative_without_its_swedish_title(page, "Democracy talks in Rosengård", "Samtal om demokrati och inflytande i Rosengård.")
    await page.get_by_label("Period, början").fill(day(2))
    await page.get_by_label("Period, slut").fill(day(4))
    await page.get_by_role("button", name="Skicka in").click()
    await page.wait_for_url(f"{url}/submit")
    assert await page.locator("#f-title\\.sv-error").inner_text() == "Fyll i fältet.", "the reason beside the Swedish title, in Swedish"
    assert await page.get_by_label("Titel (svenska)").get_attribute("aria-invalid") == "true"
    await seen(page, "console-organiser-error")
    await page.get_by_label("Titel (svenska)").fill(title)
    await page.get_by_role("button", name="Skicka in").click()
    await page.wait_for_url("**/received?what=submitted")
    await seen(page)


async def curator_reviews(page, url: str, title: str, step: str, comment: str) -> None:
    """From the work list to the initiative; started if not yet, then ``step`` with ``comment``."""
    await page.goto(f"{url}/review")
    await seen(page, "console-work-list" if step == "changes_requested" else None)
    await page.get_by_role("link", name=title).click()
    await page.wait_for_url(f"{url}/initiatives/*")
    if await page.locator('button[value="in_review"]').count():
        async with page.expect_navigation():
            await page.locator('button[value="in_review"]').click()
    await page.locator("#comment").fill(comment)
    async with page.expect_navigation():
        await page.locator(f'button[value="{step}"]').click()
    assert comment in await page.locator(".steps").inner_text()
    await seen(page)


async def organiser_revises(page, url: str, title: str, comment: str) -> None:
    await page.goto(f"{url}/mine")
    row = page.locator("tbody tr", has_text=title)
    assert "Ändringar begärda" in await row.inner_text()
    await row.get_by_role("link", name=title).click()
    assert comment in await page.locator("main").inner_text(), "the curator's comment is shown to the organiser"
    await seen(page)
    await page.get_by_role("link", name="Ändra initiativet").click()
    await page.wait_for_url("**/revise")
    await page.get_by_label("Väntat antal deltagare").fill("40")
    await page.get_by_label("Sammanfattning (svenska)").fill("Samtal om demokrati i Rosengårds bibliotek, två kvällar.")
    await page.get_by_role("button", name="Skicka ändringen").click()
    await page.wait_for_url("**/received?what=*")
    await seen(page)


async def scheduler_plans_and_publishes(page, y, title: str) -> str:
    """Edition, venue, the session, the placement accepted, the programme published: the session's id."""
    url, sched = y["console"], y["scheduling"]
    eid = f"om-{uuid.uuid4().hex[:8]}"
    await page.get_by_role("link", name="Forumperioder").first.click()
    await page.wait_for_url(f"{url}/plan")
    for label, value in (("Namn (svenska)", "Öppna Malmö"), ("Namn (engelska)", "Open Malmö"), ("Id (valfritt, t.ex. om-2027)", eid),
                         ("År", day(2)[:4]), ("Första dag", day(2)), ("Sista dag", day(4)), ("Budget (kr)", "3780000")):
        await page.get_by_label(label, exact=True).fill(value)
    await page.get_by_role("button", name="Lägg upp").click()
    await page.wait_for_url(f"{url}/plan/editions/{eid}?done=planned")
    await seen(page)

    await page.get_by_role("link", name="Lokaler").first.click()
    await add_venue(page, "Rosengårds bibliotek", 40, [f"{day(n)} 17:00 21:00" for n in (2, 3, 4)])
    await seen(page)

    await page.goto(f"{url}/plan/editions/{eid}")
    await page.get_by_role("link", name="Lägg till en programpunkt").click()
    await page.get_by_label("Initiativ (stämplat)").select_option(label=title)
    await page.get_by_label("Längd (minuter)").fill("90")
    await page.get_by_label("Platser", exact=True).fill("30")
    await seen(page)
    await page.get_by_role("button", name="Lägg till programpunkten").click()
    await page.wait_for_url(f"{url}/plan/editions/{eid}?done=session_added")

    await page.get_by_role("link", name="Föreslå placering av oplacerade programpunkter").click()
    await page.wait_for_url(f"{url}/plan/editions/{eid}/proposal")
    assert title in await page.locator("tr.placement").inner_text()
    await seen(page, "console-placement-proposal")
    await page.get_by_role("button", name="Godkänn förslaget").click()
    await page.wait_for_url(f"**/plan/editions/{eid}?done=accepted*")
    await page.get_by_role("link", name="Publicera programmet").click()
    await page.get_by_role("button", name="Publicera", exact=True).click()
    await page.wait_for_url(f"{url}/plan/editions/{eid}?done=published")
    await seen(page)
    [session] = (await sched.http.get("/v1/sessions", params={"edition_id": eid}, headers={"x-api-key": STAFF_KEYS[Role.scheduler]})).json()
    return session["session_id"]


async def resident_registers(y, title: str, address: str) -> str:
    """On the public programme, as a resident on a phone: the registration's code."""
    context = await y["browser"].new_context(locale="sv-SE", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await page.goto(f"{y['scheduling'].url}/programme")
    await seen(page)
    await page.get_by_role("link", name=title).first.click()
    await seen(page)
    await page.locator("#r-name").fill("Amina Hassan")
    await page.locator("#r-email").fill(address)
    async with page.expect_navigation():
        await page.locator("#register-button").click()
    code = await page.locator("#registration-code").inner_text()
    await seen(page, "programme-registered")
    await context.close()
    return code


async def scheduler_moves(page, url: str, session_id: str) -> str:
    """Later the same evening (the venue is open 17–21): the new start as the resident's email writes it."""
    s = f"/schedule/sessions/{session_id}"
    await page.goto(f"{url}{s}")
    await page.get_by_role("link", name="Flytta").first.click()
    await page.wait_for_url(f"{url}{s}/move")
    await seen(page)
    start = datetime.fromisoformat(await page.get_by_label("Ny start (Malmötid)").input_value()).replace(hour=19, minute=15)
    await page.get_by_label("Ny start (Malmötid)").fill(f"{start:%Y-%m-%dT%H:%M}")
    await page.get_by_label("Nytt slut (Malmötid)").fill(f"{start + timedelta(minutes=90):%Y-%m-%dT%H:%M}")
    await page.get_by_role("button", name="Flytta", exact=True).click()
    await page.wait_for_url(f"{url}{s}")
    await seen(page)
    return f"{start:%H:%M}"


async def organiser_checks_in(page, url: str, title: str, code: str) -> None:
    await page.goto(f"{url}/")
    await page.get_by_role("link", name="Mina programpunkter").first.click()
    item = page.locator("li.my-session", has_text=title)
    assert "1" in await item.locator("dl").inner_text(), "one confirmed"
    await seen(page)
    await page.get_by_role("link", name=f"Checka in vid dörren: {title}").click()
    await page.wait_for_url("**/door")
    await page.keyboard.type(code)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert await page.locator(".door-result .door-big").inner_text() == "Incheckad"
    await seen(page, "console-door")


async def test_the_whole_year_through_the_console_and_the_public_pages(year):
    y, url = year, year["console"]
    title, address = f"Demokratisamtal {uuid.uuid4().hex[:4]}", f"amina-{uuid.uuid4().hex[:6]}@example.org"
    key = await curator_registers_the_association(y)

    organiser = await as_person(y, key)
    await organiser_submits_with_an_error_then_fixed(organiser, url, title)
    curator = await as_person(y, STAFF_KEYS[Role.curator])
    await curator_reviews(curator, url, title, "changes_requested", "Ange lokal och tider, tack.")
    await organiser_revises(organiser, url, title, "Ange lokal och tider, tack.")
    await curator_reviews(curator, url, title, "approved", "Välkommen i Öppna Malmö.")

    scheduler = await as_person(y, STAFF_KEYS[Role.scheduler])
    await eventually(lambda: _stamped_at_scheduling(y, title), what="scheduling to hear of the stamp")
    session_id = await scheduler_plans_and_publishes(scheduler, y, title)
    code = await resident_registers(y, title, address)

    new_time = await scheduler_moves(scheduler, url, session_id)

    async def told():
        return [m for m in y["sink"].to(address) if m["subject"].startswith("Ändrad tid eller plats")] or None

    [moved] = await eventually(told, timeout=60, what="the resident's email about the move")
    assert title in moved["subject"] and new_time in moved.get_body(("plain",)).get_content()

    await organiser_checks_in(organiser, url, title, code)
    await analyst_sees_one_attended(y)


async def _stamped_at_scheduling(y, title: str) -> bool:
    found = (await y["registry"].http.get("/v1/initiatives", params={"q": title})).json()["items"]
    if not found:
        return False
    copy = await y["scheduling"].http.get(f"/v1/initiatives/{found[0]['initiative_id']}")
    return copy.status_code == 200 and copy.json().get("stamped")


async def analyst_sees_one_attended(y) -> None:
    """The analyst's page: the key figures unsuppressed (one attended is shown as 1, where the public
    dashboard masks small counts), and the public dashboard one click away."""
    url = y["console"]
    page = await as_person(y, STAFF_KEYS[Role.analyst])
    await page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Analys").click()
    await page.wait_for_url(f"{url}/analysis")

    async def attended():
        await page.reload()
        cells = await page.locator("tr", has=page.get_by_role("rowheader", name="Närvarande", exact=True)).locator("td").all_inner_texts()
        return cells if cells == ["1"] else None

    await eventually(attended, timeout=60, what="the analyst's figures to count one attended")
    await seen(page, "console-analysis")
    await page.get_by_role("link", name="Öppna instrumentpanelen").click()
    await page.wait_for_url(f"{y['reporting'].url}/dashboard*")
    await seen(page)
