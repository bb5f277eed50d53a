"""The scheduler's planning in a real browser (Debian's Chromium, Playwright) against the real
registry and scheduling: sign in, set up an edition, add a venue with its accessibility and
availability, ask for the automatic placement, read it, accept it, and publish the programme
after confirming. axe-core finds no violation (of any impact) on any page visited."""

import contextlib
from zoneinfo import ZoneInfo

import pytest

from shared.auth import Role
from tests.browser import ARTIFACTS, chromium, free_port, served
from tests.console import console, registry_on_a_port, sign_in_page
from tests.console_forms import add_venue
from tests.console_scheduling import SCHEDULER, scheduling_on_a_port
from tests.e2e.test_console_browser import violations
from tests.integration.test_scheduling_support import days_ahead, publish_initiative, uid
from tests.platform import STAFF_KEYS, eventually

TZ = ZoneInfo("Europe/Stockholm")


@pytest.fixture(scope="module")
async def planning(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}pbr"))
        sched, kafka = await stack.enter_async_context(scheduling_on_a_port(infra, f"{run_id}pbs"))
        initiative_id = uid()
        await publish_initiative(kafka, initiative_id)

        async def copied():
            return (await sched.http.get(f"/v1/initiatives/{initiative_id}")).status_code == 200

        await eventually(copied, what="the initiative copy")
        port = free_port()
        url = await stack.enter_async_context(served(console(registry.url, scheduling_url=sched.url), port))
        browser = await stack.enter_async_context(chromium())
        yield sched, url, browser, initiative_id


def day(n: int) -> str:
    return days_ahead(n).astimezone(TZ).date().isoformat()


async def test_a_scheduler_sets_up_an_edition_and_a_venue_accepts_the_placement_and_publishes(planning):
    sched, url, browser, initiative_id = planning
    page = await browser.new_page(locale="sv-SE")
    await sign_in_page(page, url, STAFF_KEYS[Role.scheduler])
    await page.get_by_role("link", name="Forumperioder").first.click()
    await page.wait_for_url(f"{url}/plan")
    assert await violations(page) == []

    eid = f"ed-{uid()[:10]}"
    for label, value in (("Namn (svenska)", "Öppna Malmö prov"), ("Namn (engelska)", "Open Malmö trial"), ("Id (valfritt, t.ex. om-2027)", eid),
                         ("År", day(2)[:4]), ("Första dag", day(2)), ("Sista dag", day(4)), ("Budget (kr)", "100000")):
        await page.get_by_label(label, exact=True).fill(value)
    await page.get_by_role("button", name="Lägg upp").click()
    await page.wait_for_url(f"{url}/plan/editions/{eid}?done=planned")
    assert "Forumperioden är upplagd" in await page.locator("main").inner_text()
    assert await violations(page) == []

    session = await sched.http.post("/v1/sessions", json={"edition_id": eid, "initiative_id": initiative_id, "capacity": 20,
                                                          "duration_minutes": 60, "status": "draft"}, headers=SCHEDULER)
    assert session.status_code == 201, session.text
    sid = session.json()["session"]["session_id"]

    await page.get_by_role("link", name="Lokaler").first.click()
    await page.wait_for_url(f"{url}/plan/venues")
    assert await violations(page) == []
    await add_venue(page, f"Sal {initiative_id[:6]}", 50, [f"{day(n)} 08:00 20:00" for n in (2, 3, 4)])
    assert await violations(page) == []

    await page.goto(f"{url}/plan/editions/{eid}")
    await page.get_by_role("link", name="Föreslå placering av oplacerade programpunkter").click()
    await page.wait_for_url(f"{url}/plan/editions/{eid}/proposal")
    row = await page.locator("tr.placement").inner_text()
    assert f"Samtal {initiative_id[:6]}" in row and f"Sal {initiative_id[:6]}" in row
    assert (await sched.http.get(f"/v1/sessions/{sid}", headers=SCHEDULER)).json().get("starts_at") is None, "nothing written yet"
    assert await violations(page) == []
    await page.screenshot(path=str(ARTIFACTS / "console-placement-proposal.png"), full_page=True)

    await page.get_by_role("button", name="Godkänn förslaget").click()
    await page.wait_for_url(f"**/plan/editions/{eid}?done=accepted*")
    assert (await sched.http.get(f"/v1/sessions/{sid}", headers=SCHEDULER)).json()["starts_at"]
    assert await violations(page) == []

    await page.get_by_role("link", name="Publicera programmet").click()
    await page.wait_for_url(f"{url}/plan/editions/{eid}/publish")
    assert await violations(page) == []
    await page.get_by_role("button", name="Publicera", exact=True).click()
    await page.wait_for_url(f"{url}/plan/editions/{eid}?done=published")
    assert "Programmet är publicerat" in await page.locator("main").inner_text()
    assert (await sched.http.get(f"/v1/editions/{eid}")).json()["status"] == "programme_published"
    assert await violations(page) == []
    await page.close()
