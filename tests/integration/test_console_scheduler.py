"""The scheduler's console pages against the real registry (sign-in) and scheduling (on real
ports): an edition's sessions by day and venue with seats, waiting list and conflicts; a session's
registrations by code, never contacts; the check-in at the door — checked in, the same code again,
an unknown code, a door not open yet, a form without its token — and the keys scheduling refuses."""

import contextlib
import re
import uuid

import pytest

from shared.auth import Role
from tests.console import browsing, console, csrf_of, registry_on_a_port, sign_in
from tests.console_scheduling import SCHEDULER, later_session, scheduling_on_a_port, session_with_registrations
from tests.integration.test_scheduling_support import venue_body
from tests.platform import STAFF_KEYS, as_role, register_source

SCHEDULER_KEY = STAFF_KEYS[Role.scheduler]


@pytest.fixture(scope="module")
async def services(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}csr"))
        sched, kafka = await stack.enter_async_context(scheduling_on_a_port(infra, f"{run_id}css"))
        yield registry, sched, kafka


@pytest.fixture(scope="module")
async def booked(services):
    """A session of capacity 3 with parties of 2, 1 and 2 (the last waits): (session, registrations)."""
    _, sched, kafka = services
    return await session_with_registrations(sched, kafka, 3, [2, 1, 2])


@contextlib.asynccontextmanager
async def signed_in(services, key: str = SCHEDULER_KEY):
    registry, sched, _ = services
    async with browsing(console(registry.url, scheduling_url=sched.url)) as client:
        assert (await sign_in(client, key)).status_code == 303
        yield client


async def attended(sched, session_id: str) -> dict[str, bool]:
    listed = (await sched.http.get(f"/v1/sessions/{session_id}/registrations", headers=SCHEDULER)).json()
    return {r["code"]: r["attended"] for r in listed}


async def door_post(client, session_id: str, code: str, lang: str = ""):
    door = await client.get(f"/schedule/sessions/{session_id}/door{lang}")
    assert door.status_code == 200 and "autofocus" in door.text and 'inputmode="text"' in door.text
    return await client.post(f"/schedule/sessions/{session_id}/door{lang}", data={"csrf": csrf_of(door.text), "code": code})


async def test_the_sessions_page_shows_the_edition_by_day_and_venue_with_seats_waiting_and_conflicts(services, booked):
    _, sched, _ = services
    s, _ = booked
    smaller = await sched.http.put(f"/v1/venues/{s['venue_id']}", json=venue_body(capacity=2), headers=SCHEDULER)
    assert smaller.status_code == 200, smaller.text
    try:
        async with signed_in(services) as client:
            home = await client.get("/")
            assert 'href="/schedule"' in home.text and "Programpunkter" in home.text
            page = await client.get("/schedule", params={"edition": s["edition_id"]})
            assert page.status_code == 200, page.text
            assert f'<option value="{s["edition_id"]}" selected>' in page.text
            assert "<caption>Rosengårds bibliotek</caption>" in page.text and f'href="/schedule/sessions/{s["session_id"]}"' in page.text
            row = page.text.split(f'href="/schedule/sessions/{s["session_id"]}"')[1].split("</tr>")[0]
            assert "Publicerad" in row and "<td>3 / 3</td>" in row and "<td>1</td>" in row, row
            assert "Krockar: 1" in page.text and "Fler platser än lokalen rymmer" in page.text and "stoppar" in page.text
            en = await client.get("/schedule", params={"edition": s["edition_id"], "lang": "en"})
            assert "More seats than the venue holds" in en.text and "Published" in en.text
    finally:
        await sched.http.put(f"/v1/venues/{s['venue_id']}", json=venue_body(capacity=100), headers=SCHEDULER)


async def test_the_session_page_lists_registrations_in_order_by_code_and_the_waiting_list_never_contacts(services, booked):
    s, regs = booked
    async with signed_in(services) as client:
        page = await client.get(f"/schedule/sessions/{s['session_id']}")
    assert page.status_code == 200, page.text
    codes = re.findall(r'<td class="code">([A-Z0-9]+)</td>', page.text)
    assert codes == [r["code"] for r in regs], "in registration order"
    waiting = page.text.split('id="wait-h"')[1]
    assert "Kö: 1" in page.text and regs[2]["code"] in waiting and regs[0]["code"] not in waiting
    assert "Bekräftad" in page.text and "I kö" in page.text
    assert "example.org" not in page.text and "Person0" not in page.text, "no contact details: scheduling gives none"


async def test_a_code_is_checked_in_and_the_same_code_again_says_already(services, booked):
    _, sched, _ = services
    s, regs = booked
    sid, code = s["session_id"], regs[0]["code"]
    async with signed_in(services) as client:
        r = await door_post(client, sid, code.lower())
        assert r.status_code == 303 and r.headers["location"].startswith(f"/schedule/sessions/{sid}/door?")
        shown = await client.get(r.headers["location"])
        assert '<p class="door-big">Incheckad</p>' in shown.text and "Antal personer 2" in shown.text and code in shown.text
        assert 'value=""' not in shown.text.split('id="code"')[0] and "autofocus" in shown.text, "the field is empty and ready"
        assert (await attended(sched, sid))[code] is True
        again = await door_post(client, sid, code)
        assert again.status_code == 303
        assert '<p class="door-big">Redan incheckad</p>' in (await client.get(again.headers["location"])).text
        assert (await attended(sched, sid))[code] is True


async def test_an_unknown_code_is_said_beside_the_field_and_nothing_changes(services, booked):
    _, sched, _ = services
    s, _ = booked
    before = await attended(sched, s["session_id"])
    async with signed_in(services) as client:
        r = await door_post(client, s["session_id"], "ZZZZZZ")
        assert r.status_code == 404 and '<p class="door-big">Okänd kod för den här programpunkten</p>' in r.text
        assert 'aria-invalid="true"' in r.text and 'aria-describedby="code-help code-result"' in r.text
        short = await door_post(client, s["session_id"], "AB")  # scheduling's own check of the code's form: its words
        assert short.status_code == 422 and "Koden godtogs inte" in short.text and 'aria-invalid="true"' in short.text
        en = await door_post(client, s["session_id"], "ZZZZZZ", "?lang=en")
        assert en.status_code == 404 and "Unknown code for this session" in en.text
    assert await attended(sched, s["session_id"]) == before


async def test_a_door_not_open_yet_says_so_and_when_it_opens(services, booked):
    _, sched, _ = services
    s, _ = booked
    later = await later_session(sched, s)
    code = (await sched.http.post(f"/v1/sessions/{later}/registrations", json={"name": "Sen", "phone": "070-123 45 67"})).json()["code"]
    async with signed_in(services) as client:
        r = await door_post(client, later, code)
        assert r.status_code == 409 and "Incheckningen har inte öppnat än" in r.text and re.search(r"Öppnar \d{4}-\d\d-\d\d \d\d:\d\d", r.text)
    assert (await attended(sched, later))[code] is False


async def test_a_check_in_without_the_forms_token_is_refused_and_changes_nothing(services, booked):
    _, sched, _ = services
    s, regs = booked
    async with signed_in(services) as client:
        r = await client.post(f"/schedule/sessions/{s['session_id']}/door", data={"code": regs[1]["code"]})
        assert r.status_code == 403 and "säkerhetskod" in r.text
    assert (await attended(sched, s["session_id"]))[regs[1]["code"]] is False


async def test_a_key_scheduling_refuses_gets_the_not_allowed_page_and_a_curator_gets_what_scheduling_answers(services, booked):
    _, sched, _ = services
    s, regs = booked
    async with signed_in(services, STAFF_KEYS[Role.analyst]) as client:  # a staff key scheduling knows, of another role: 403
        for path in (f"/schedule?edition={s['edition_id']}", f"/schedule/sessions/{s['session_id']}", f"/schedule/sessions/{s['session_id']}/door"):
            page = await client.get(path)
            assert page.status_code == 403 and "Inte tillåtet" in page.text, path
        home = await client.get("/")
        assert 'href="/schedule"' not in home.text, "the nav links the scheduler's pages to schedulers"
        r = await client.post(f"/schedule/sessions/{s['session_id']}/door", data={"csrf": csrf_of(home.text), "code": regs[1]["code"]})
        assert r.status_code == 403 and "Inte tillåtet" in r.text
    assert (await attended(sched, s["session_id"]))[regs[1]["code"]] is False
    # scheduling's staff routes take a curator's key as well: the console shows what scheduling answers
    direct = await sched.http.get(f"/v1/sessions/{s['session_id']}/registrations", headers=as_role(Role.curator))
    async with signed_in(services, STAFF_KEYS[Role.curator]) as client:
        page = await client.get(f"/schedule/sessions/{s['session_id']}")
        assert page.status_code == direct.status_code
        if direct.status_code == 403:
            assert "Inte tillåtet" in page.text
        else:
            assert all(r["code"] in page.text for r in direct.json())


async def test_a_publishers_key_scheduling_does_not_know_is_not_allowed_and_stays_signed_in(services, booked):
    """Scheduling answers 401 to a publisher's key it has not heard of (here the registry's
    registry.sources.v1 is another run's topic, so it never arrives): the console shows the
    not-allowed page and keeps the session — only the registry's 401 means the key was revoked."""
    registry, _, _ = services
    s, _ = booked
    key = await register_source(registry.http, f"urn:malmo:source:door-{uuid.uuid4().hex[:6]}", kind="civil_society")
    async with signed_in(services, key) as client:
        page = await client.get(f"/schedule/sessions/{s['session_id']}")
        assert page.status_code == 403 and "Inte tillåtet" in page.text
        assert (await client.get("/mine")).status_code == 200, "still signed in"
