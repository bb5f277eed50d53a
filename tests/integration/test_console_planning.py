"""The scheduler's planning pages against the real registry (sign-in) and scheduling (on real
ports): an edition set up and changed (a refusal beside its field, nothing stored); a venue added
and changed with accessibility by the registry's words and availability; the automatic placement
shown with nothing written until accepted, then accepted and the programme published; a session
moved and cancelled from its page; and keys scheduling refuses get the not-allowed page."""

import contextlib
import re
from html import unescape
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from shared.auth import Role
from tests.console import browsing, console, csrf_of, registry_on_a_port, sign_in
from tests.console_scheduling import SCHEDULER, scheduling_on_a_port
from tests.integration.test_scheduling_support import days_ahead, edition_body, published_session, publish_initiative, uid, venue_body
from tests.platform import STAFF_KEYS, eventually

TZ = ZoneInfo("Europe/Stockholm")


@pytest.fixture(scope="module")
async def services(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}cpr"))
        sched, kafka = await stack.enter_async_context(scheduling_on_a_port(infra, f"{run_id}cps"))
        yield registry, sched, kafka


@contextlib.asynccontextmanager
async def signed_in(services, key: str = STAFF_KEYS[Role.scheduler]):
    registry, sched, _ = services
    async with browsing(console(registry.url, scheduling_url=sched.url)) as client:
        assert (await sign_in(client, key)).status_code == 303
        yield client


async def post_form(client, page: str, to: str, fields: dict | list):
    """The page's CSRF token, then the form posted as a browser sends it."""
    token = csrf_of((await client.get(page)).text)
    items = list(fields.items()) if isinstance(fields, dict) else fields
    return await post_pairs(client, to, [("csrf", token), *items])


async def post_pairs(client, to: str, pairs: list[tuple[str, str]]):
    """A form with a name given more than once (checkboxes), encoded as a browser does."""
    return await client.post(to, content=urlencode(pairs), headers={"content-type": "application/x-www-form-urlencoded"})


def beside(html: str, field: str) -> str:
    """The error text tied to a field (its aria-describedby target), or fail."""
    assert f'id="f-{field}" ' in html and 'aria-invalid="true"' in html.split(f'id="f-{field}"')[1].split(">")[0], field
    return html.split(f'id="f-{field}-error"')[1].split("</p>")[0]


def edition_form(edition_id: str, **changes) -> dict:
    body = edition_body(edition_id)
    form = {"pl_name_sv": body["name"]["sv"], "pl_name_en": body["name"]["en"], "pl_edition_id": edition_id, "pl_year": str(body["year"]),
            "pl_starts_on": body["starts_on"], "pl_ends_on": body["ends_on"], "pl_budget_sek": str(body["budget_sek"])}
    return {**form, **changes}


async def test_an_edition_is_set_up_and_changed_with_refusals_beside_their_fields(services):
    _, sched, _ = services
    eid = f"ed-{uid()[:10]}"
    async with signed_in(services) as client:
        backwards = await post_form(client, "/plan", "/plan/editions", edition_form(eid, pl_ends_on="2000-01-01"))
        assert backwards.status_code == 422 and "ends before it starts" in beside(backwards.text, "pl_ends_on")
        assert 'value="2000-01-01"' in backwards.text  # what was typed is kept
        assert (await sched.http.get(f"/v1/editions/{eid}")).status_code == 404

        planned = await post_form(client, "/plan", "/plan/editions", edition_form(eid))
        assert planned.status_code == 303 and planned.headers["location"] == f"/plan/editions/{eid}?done=planned"
        page = await client.get(planned.headers["location"])
        assert page.status_code == 200 and "Forumperioden är upplagd" in page.text and "Planeras" in page.text
        en = await client.get(planned.headers["location"] + "&lang=en")
        assert "The edition is set up." in en.text and "Being planned" in en.text and "Budget (SEK)" in en.text

        negative = await post_form(client, f"/plan/editions/{eid}", f"/plan/editions/{eid}", {"pl_budget_sek": "-5"})
        assert negative.status_code == 422 and beside(negative.text, "pl_budget_sek")
        assert (await sched.http.get(f"/v1/editions/{eid}")).json()["budget_sek"] == 3_780_000

        changed = await post_form(client, f"/plan/editions/{eid}", f"/plan/editions/{eid}", {"pl_budget_sek": "1000", "pl_name_sv": "Nytt namn", "pl_name_en": "Open Malmö 2025"})
        assert changed.status_code == 303 and changed.headers["location"] == f"/plan/editions/{eid}?done=changed"
        stored = (await sched.http.get(f"/v1/editions/{eid}")).json()
        assert stored["budget_sek"] == 1000 and stored["name"]["sv"] == "Nytt namn" and stored["name"]["en"] == "Open Malmö 2025"


def venue_form(name: str, capacity: str = "40", availability: str = "") -> list[tuple[str, str]]:
    return [("pl_venue_name", name), ("pl_address", "Lönngatan 30"), ("pl_district", "rosengard"), ("pl_capacity", capacity),
            ("pl_accessibility", "wheelchair_access"), ("pl_accessibility", "hearing_loop"), ("pl_languages", "sv, en"), ("pl_availability", availability)]


async def test_a_venue_is_added_and_changed_with_accessibility_and_availability(services):
    _, sched, _ = services
    day = days_ahead(5).astimezone(TZ).date().isoformat()
    name = f"Lokal {uid()[:6]}"
    async with signed_in(services) as client:
        page = await client.get("/plan/venues")
        assert page.status_code == 200 and 'name="pl_accessibility" value="wheelchair_access"' in page.text
        refused = await post_form(client, "/plan/venues", "/plan/venues", venue_form(name, "0", f"{day} 09:00 17:00"))
        assert refused.status_code == 422 and beside(refused.text, "pl_capacity") and 'value="wheelchair_access" checked' in refused.text
        backwards = await post_form(client, "/plan/venues", "/plan/venues", venue_form(name, "40", f"{day} 17:00 09:00"))
        assert backwards.status_code == 422 and "ends before it starts" in beside(backwards.text, "pl_availability")
        assert name not in {v["name"] for v in (await sched.http.get("/v1/venues")).json()}

        added = await post_form(client, "/plan/venues", "/plan/venues", venue_form(name, "40", f"{day} 09:00 17:00"))
        assert added.status_code == 303 and added.headers["location"].endswith("?done=added"), added.text
        venue_id = added.headers["location"].split("/")[-1].split("?")[0]
        stored = (await sched.http.get(f"/v1/venues/{venue_id}")).json()
        assert stored["accessibility"] == ["wheelchair_access", "hearing_loop"] and stored["capacity"] == 40 and stored["languages"] == ["sv", "en"]
        assert stored["availability"] == [{"starts_at": f"{day}T09:00:00+01:00", "ends_at": f"{day}T17:00:00+01:00"}]  # Malmö time, December

        shown = await client.get(added.headers["location"])
        assert "Lokalen är tillagd" in shown.text and f"{day} 09:00 17:00" in shown.text
        changed = await post_form(client, f"/plan/venues/{venue_id}", f"/plan/venues/{venue_id}", venue_form(name, "55", f"{day} 10:00 18:00"))
        assert changed.status_code == 303
        stored = (await sched.http.get(f"/v1/venues/{venue_id}")).json()
        assert stored["capacity"] == 55 and len(stored["availability"]) == 1
        assert f"{day} 10:00 18:00" in (await client.get(f"/plan/venues/{venue_id}")).text


async def unplaced_session(sched, kafka) -> tuple[str, str, str]:
    """A stamped initiative's draft session without a time (placement's to place), a new edition
    and venue: (edition_id, session_id, initiative_id)."""
    initiative_id = uid()
    await publish_initiative(kafka, initiative_id)

    async def copied():
        return (await sched.http.get(f"/v1/initiatives/{initiative_id}")).status_code == 200

    await eventually(copied, what="the initiative copy")
    edition = (await sched.http.post("/v1/editions", json=edition_body(), headers=SCHEDULER)).json()
    assert (await sched.http.post("/v1/venues", json=venue_body(name=f"Sal {initiative_id[:6]}"), headers=SCHEDULER)).status_code == 201
    r = await sched.http.post("/v1/sessions", json={"edition_id": edition["edition_id"], "initiative_id": initiative_id, "capacity": 20,
                                                    "duration_minutes": 60, "status": "draft"}, headers=SCHEDULER)
    assert r.status_code == 201, r.text
    return edition["edition_id"], r.json()["session"]["session_id"], initiative_id


async def test_the_proposal_is_shown_nothing_written_until_accepted_then_the_programme_published(services):
    _, sched, kafka = services
    eid, sid, initiative_id = await unplaced_session(sched, kafka)
    too_big = await sched.http.post("/v1/sessions", json={"edition_id": eid, "initiative_id": initiative_id, "capacity": 100_000,
                                                          "duration_minutes": 60, "status": "draft"}, headers=SCHEDULER)
    assert too_big.status_code == 201, too_big.text
    async with signed_in(services) as client:
        shown = await client.get(f"/plan/editions/{eid}/proposal")
        assert shown.status_code == 200, shown.text
        row = shown.text.split('<tr class="placement">')[1].split("</tr>")[0]
        assert f"Samtal {initiative_id[:6]}" in row and initiative_id in row and re.search(r"\d\d:\d\d–\d\d:\d\d", row)
        assert "inget är sparat" in shown.text and "Kunde inte placeras: 1" in shown.text and "No venue holds 100000" in shown.text
        assert (await sched.http.get(f"/v1/sessions/{sid}", headers=SCHEDULER)).json().get("starts_at") is None

        hidden = re.findall(r'name="(placement-\d+)" value="([^"]+)"', shown.text)
        accepted = await post_pairs(client, f"/plan/editions/{eid}/proposal", [("csrf", csrf_of(shown.text)), *[(k, unescape(v)) for k, v in hidden]])
        assert accepted.status_code == 303 and "accepted=1" in accepted.headers["location"] and "refused=0" in accepted.headers["location"]
        placed = (await sched.http.get(f"/v1/sessions/{sid}", headers=SCHEDULER)).json()
        assert placed["starts_at"] and placed["status"] == "scheduled"
        assert hidden[0][1].split(" ")[:2] == [sid, placed["venue"]["venue_id"]] and placed["venue"]["name"] in row

        ask = await client.get(f"/plan/editions/{eid}/publish")
        assert ask.status_code == 200 and "Publicera programmet?" in ask.text
        assert (await sched.http.get(f"/v1/editions/{eid}")).json()["status"] == "planning"
        published = await client.post(f"/plan/editions/{eid}/publish", data={"csrf": csrf_of(ask.text)})
        assert published.status_code == 303 and published.headers["location"] == f"/plan/editions/{eid}?done=published"
        assert (await sched.http.get(f"/v1/editions/{eid}")).json()["status"] == "programme_published"
        assert (await sched.http.get(f"/v1/sessions/{sid}", headers=SCHEDULER)).json()["status"] == "published"
        again = await client.post(f"/plan/editions/{eid}/publish", data={"csrf": csrf_of(ask.text)})
        assert again.status_code == 303  # scheduling answers the same step again with the edition, unchanged


def malmo(at) -> str:
    return f"{at.astimezone(TZ):%Y-%m-%dT%H:%M}"


async def test_a_session_is_moved_and_cancelled_from_its_page(services):
    _, sched, kafka = services
    s = await published_session(sched.http, kafka, 10)
    sid = s["session_id"]
    async with signed_in(services) as client:
        page = await client.get(f"/schedule/sessions/{sid}")
        assert f'href="/schedule/sessions/{sid}/move"' in page.text and f'href="/schedule/sessions/{sid}/cancel"' in page.text
        form = await client.get(f"/schedule/sessions/{sid}/move")
        assert "De anmälda får veta" in form.text and f'value="{malmo(days_ahead(3, 16))}"' in form.text
        assert f'<option value="{s["venue_id"]}" selected>' in form.text

        backwards = await post_form(client, f"/schedule/sessions/{sid}/move", f"/schedule/sessions/{sid}/move",
                                    {"pl_starts_at": malmo(days_ahead(4, 16)), "pl_ends_at": malmo(days_ahead(4, 15)), "pl_venue_id": s["venue_id"]})
        assert backwards.status_code == 422 and beside(backwards.text, "pl_ends_at")
        moved = await post_form(client, f"/schedule/sessions/{sid}/move", f"/schedule/sessions/{sid}/move",
                                {"pl_starts_at": malmo(days_ahead(4, 16)), "pl_ends_at": malmo(days_ahead(4, 17)), "pl_venue_id": s["venue_id"]})
        assert moved.status_code == 303 and moved.headers["location"] == f"/schedule/sessions/{sid}"
        stored = (await sched.http.get(f"/v1/sessions/{sid}", headers=SCHEDULER)).json()
        assert stored["starts_at"].startswith(days_ahead(4, 16).strftime("%Y-%m-%dT16:00")) and stored["status"] == "rescheduled"

        ask = await client.get(f"/schedule/sessions/{sid}/cancel")
        assert ask.status_code == 200 and "Ställa in programpunkten?" in ask.text
        cancelled = await client.post(f"/schedule/sessions/{sid}/cancel", data={"csrf": csrf_of(ask.text), "pl_reason": "Sjukdom"})
        assert cancelled.status_code == 303
        assert (await sched.http.get(f"/v1/sessions/{sid}", headers=SCHEDULER)).json()["status"] == "cancelled"
        assert "/move" not in (await client.get(f"/schedule/sessions/{sid}")).text


@pytest.mark.parametrize("role", [Role.curator, Role.analyst])
async def test_a_key_scheduling_refuses_gets_the_not_allowed_page_and_nothing_is_written(services, role):
    """The console holds no rule of its own: what scheduling answers this key directly, the page answers."""
    _, sched, kafka = services
    s = await published_session(sched.http, kafka, 10)
    key = {"authorization": f"Bearer {STAFF_KEYS[role]}"}
    allowed = (await sched.http.post("/v1/venues", json=venue_body(name=f"Prov {uid()[:6]}"), headers=key)).status_code == 201
    eid = f"ed-{uid()[:10]}"
    async with signed_in(services, STAFF_KEYS[role]) as client:
        edition = await post_form(client, "/plan", "/plan/editions", edition_form(eid))
        venue = await post_form(client, "/plan/venues", "/plan/venues", venue_form(f"Lokal {uid()[:6]}"))
        cancel = await post_form(client, "/plan", f"/schedule/sessions/{s['session_id']}/cancel", {})
    for answer in (edition, venue, cancel):
        if allowed:
            assert answer.status_code == 303
        else:
            assert answer.status_code == 403 and "Inte tillåtet" in answer.text
    if not allowed:
        assert (await sched.http.get(f"/v1/editions/{eid}")).status_code == 404
        assert (await sched.http.get(f"/v1/sessions/{s['session_id']}", headers=SCHEDULER)).json()["status"] == "published"
