"""What scheduling refuses at its edges, on the real broker and database: a check-in outside its
window, an edition planned again with other content, an edition's dates or submission window
turned backwards."""

import uuid
from datetime import datetime, timedelta

import pytest

from services.scheduling.main import create_app
from shared.auth import Role
from tests.integration.test_scheduling_service import new_session, setup, stamped
from tests.integration.test_scheduling_support import CHECK_IN_OPENS_DAYS_AHEAD, DoorOpensDaysAhead
from tests.platform import Platform, as_role

STAFF = as_role(Role.scheduler)
OPENS_BEFORE = timedelta(days=CHECK_IN_OPENS_DAYS_AHEAD)


@pytest.fixture(scope="module")
async def sched(infra):
    async with Platform.start(infra, f"r{uuid.uuid4().hex[:8]}", scheduling=(create_app, DoorOpensDaysAhead)) as p:
        yield p


def _fields(r):
    return [(d["field"], d["code"]) for d in r.json()["detail"]]


async def registered(http, session_id: str) -> dict:
    assert (await http.post(f"/v1/sessions/{session_id}/publish", headers=STAFF)).status_code == 200
    r = await http.post(f"/v1/sessions/{session_id}/registrations", json={"name": "Amina", "email": "amina@example.org"})
    assert r.status_code == 201, r.text
    return r.json()


async def test_check_in_is_refused_before_its_window_opens_and_taken_inside_it(sched):
    http, edition_id, venue_id = await setup(sched)
    soon = (await new_session(http, edition_id, await stamped(sched), venue_id, day=3)).json()["session"]
    later = (await new_session(http, edition_id, await stamped(sched), venue_id, day=10)).json()["session"]
    early = await registered(http, later["session_id"])
    r = await http.post(f"/v1/sessions/{later['session_id']}/check-in", json={"code": early["code"]}, headers=STAFF)
    assert r.status_code == 409, r.text
    assert _fields(r) == [("starts_at", "check_in_not_open")]
    opens_at = datetime.fromisoformat(r.json()["detail"][0]["opens_at"])
    assert opens_at == datetime.fromisoformat(later["starts_at"]) - OPENS_BEFORE
    assert (await http.get(f"/v1/registrations/{early['token']}")).json()["attended"] is False

    inside = await registered(http, soon["session_id"])
    r = await http.post(f"/v1/sessions/{soon['session_id']}/check-in", json={"code": inside["code"]}, headers=STAFF)
    assert r.status_code == 200 and r.json()["attended"] is True, r.text
