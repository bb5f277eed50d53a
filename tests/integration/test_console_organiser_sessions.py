"""The organiser's sessions in the console, against the real registry and scheduling on real
ports sharing one broker (scheduling learns the publisher's key from registry.sources.v1): the
publisher's sessions with their counts, the door's check-in at its own session (the scheduler's
door page, reached by the publisher's key), another publisher's session not found, and a staff
key refused by scheduling."""

import contextlib
import re
import uuid

import pytest

from shared.auth import Role
from tests.console import csrf_of, registry_on_a_port
from tests.console_scheduling import scheduling_on_a_port, session_with_registrations
from tests.integration.test_console_scheduler import attended, door_post, signed_in
from tests.platform import STAFF_KEYS, as_source, eventually, register_source


@pytest.fixture(scope="module")
async def services(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        # one run id for both: the registry's topics are the ones scheduling reads
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}cos"))
        sched, kafka = await stack.enter_async_context(scheduling_on_a_port(infra, f"{run_id}cos"))
        yield registry, sched, kafka


async def known_at_scheduling(sched, key: str) -> None:
    async def check():
        return (await sched.http.get("/v1/my/sessions", headers=as_source(key))).status_code == 200

    await eventually(check, what="the publisher's key at scheduling")


async def publisher(services, name: str) -> tuple[str, str]:
    registry, sched, _ = services
    uri = f"urn:malmo:source:cos-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry.http, uri, kind="civil_society", name=name)
    await known_at_scheduling(sched, key)
    return uri, key


@pytest.fixture(scope="module")
async def organiser(services):
    """A publisher, its session of capacity 3 with parties of 2, 1 and 2 (the last waits), and its key."""
    _, sched, kafka = services
    uri, key = await publisher(services, "Föreningen Ljus")
    s, regs = await session_with_registrations(sched, kafka, 3, [2, 1, 2], source=uri)
    return s, regs, key


def item_of(page: str, session_id: str) -> str:
    return page.split(f'href="/schedule/sessions/{session_id}"')[1].split("</li>")[0]


def counts(item: str) -> list[str]:
    """Capacity, seats confirmed, registrations waiting, checked in: as the page shows them."""
    return re.findall(r"<dd>([^<]*)</dd>", item)


async def test_my_sessions_shows_each_with_its_counts_and_its_door(services, organiser):
    s, _, key = organiser
    sid = s["session_id"]
    async with signed_in(services, key) as client:
        home = await client.get("/")
        assert 'href="/mine/sessions"' in home.text and "Mina programpunkter" in home.text
        page = await client.get("/mine/sessions")
        assert page.status_code == 200 and "<h1>Mina programpunkter</h1>" in page.text
        assert 'href="/mine/sessions" aria-current="page"' in page.text
        item = item_of(page.text, sid)
        assert counts(item) == ["3", "3", "1", "0"], item
        assert "<dt>Bekräftade platser</dt>" in item and "<dt>Incheckade</dt>" in item
        assert "Publicerad" in item and "Rosengårds bibliotek" in item and f'href="/schedule/sessions/{sid}/door"' in item
        en = await client.get("/mine/sessions", params={"lang": "en"})
        assert "<h1>My sessions</h1>" in en.text and "Seats confirmed" in en.text and "Check in at the door" in en.text


async def test_the_organiser_checks_in_at_its_own_door_and_the_count_follows(services, organiser):
    _, sched, _ = services
    s, regs, key = organiser
    sid, code = s["session_id"], regs[1]["code"]
    async with signed_in(services, key) as client:
        r = await door_post(client, sid, code)
        assert r.status_code == 303 and r.headers["location"].startswith(f"/schedule/sessions/{sid}/door?")
        shown = await client.get(r.headers["location"])
        assert '<p class="door-big">Incheckad</p>' in shown.text and code in shown.text
        assert (await attended(sched, sid))[code] is True
        unknown = await door_post(client, sid, "ZZZZZZ")
        assert unknown.status_code == 404 and 'aria-invalid="true"' in unknown.text, "scheduling's refusal beside the field"
        page = await client.get("/mine/sessions")
        assert counts(item_of(page.text, sid)) == ["3", "3", "1", "1"]
        registrations = await client.get(f"/schedule/sessions/{sid}")
        assert registrations.status_code == 200 and all(r["code"] in registrations.text for r in regs)
        assert "example.org" not in registrations.text, "codes, never contacts"


async def test_another_publishers_session_is_not_found_and_nothing_changes(services, organiser):
    _, sched, _ = services
    s, regs, _ = organiser
    sid = s["session_id"]
    _, other = await publisher(services, "Föreningen Mörker")
    before = await attended(sched, sid)
    async with signed_in(services, other) as client:
        mine = await client.get("/mine/sessions")
        assert mine.status_code == 200 and "Inga programpunkter för dina initiativ ännu." in mine.text
        for path in (f"/schedule/sessions/{sid}", f"/schedule/sessions/{sid}/door"):
            page = await client.get(path)
            assert page.status_code == 404 and "Hittades inte" in page.text, path
        home = await client.get("/")
        r = await client.post(f"/schedule/sessions/{sid}/door", data={"csrf": csrf_of(home.text), "code": regs[2]["code"]})
        assert r.status_code == 404 and "Hittades inte" in r.text
    assert await attended(sched, sid) == before


async def test_a_staff_key_gets_what_scheduling_answers_not_allowed(services):
    async with signed_in(services, STAFF_KEYS[Role.scheduler]) as client:
        page = await client.get("/mine/sessions")
        assert page.status_code == 403 and "Inte tillåtet" in page.text
        assert 'href="/mine/sessions"' not in (await client.get("/")).text, "the nav links it for publishers"
