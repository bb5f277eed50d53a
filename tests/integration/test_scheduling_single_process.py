"""One process per service with write leases off (``WRITE_LEASES=false``, as a city may run a
single replica, and as ``make bench`` measures it): a session's registrations, a cancellation and
a check-in are answered as with leases — the seat desk's lock and the session's are different
locks, so a batch that holds its desk can change its session."""

import asyncio
import uuid

import pytest

from services.scheduling.main import create_app
from shared.auth import Role
from tests.integration.test_scheduling_service import new_session, setup, stamped
from tests.integration.test_scheduling_support import DoorOpensDaysAhead
from tests.platform import Platform, as_role

STAFF = as_role(Role.scheduler)


class OneProcess(DoorOpensDaysAhead):
    write_leases: bool = False


@pytest.fixture(scope="module")
async def sched(infra):
    async with Platform.start(infra, f"s{uuid.uuid4().hex[:8]}", scheduling=(create_app, OneProcess)) as p:
        yield p


async def test_residents_register_cancel_and_are_checked_in_without_leases(sched):
    assert sched.settings["scheduling"].write_leases is False
    http, edition_id, venue_id = await setup(sched)
    s = (await new_session(http, edition_id, await stamped(sched), venue_id, capacity=3)).json()["session"]
    sid = s["session_id"]
    assert (await http.post(f"/v1/sessions/{sid}/publish", headers=STAFF)).status_code == 200
    url = f"/v1/sessions/{sid}/registrations"
    async with asyncio.timeout(60):  # a lock held twice waits forever: fail instead (the ASGI client has no timeout)
        answers = await asyncio.gather(*(http.post(url, json={"name": f"Person {i}", "email": f"p{i}@example.org"}) for i in range(5)))
    assert sorted(r.status_code for r in answers) == [201] * 5, [r.text for r in answers]
    assert sorted(r.json()["status"] for r in answers) == ["confirmed"] * 3 + ["waitlisted"] * 2
    confirmed = [r.json() for r in answers if r.json()["status"] == "confirmed"]
    gone = await http.delete(f"/v1/registrations/{confirmed[0]['token']}")
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    r = await http.post(f"/v1/sessions/{sid}/check-in", json={"code": confirmed[1]["code"]}, headers=STAFF)
    assert r.status_code == 200 and r.json()["attended"] is True
    view = (await http.get(f"/v1/programme/sessions/{sid}")).json()
    assert view["seats_confirmed"] == 3 and view["waitlisted"] == 1
