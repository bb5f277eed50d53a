"""The public feeds served from their rendered bytes (ETag, 304, fresh after every change) and the
page form's own Idempotency-Key (a busy database: tests/integration/test_busy_database.py)."""

import re
import uuid

import pytest

from services.scheduling.main import create_app
from services.scheduling.settings import SchedulingSettings
from tests.integration.test_scheduling_service import STAFF, new_session, setup, stamped
from tests.platform import Platform


@pytest.fixture(scope="module")
async def sched(infra):
    async with Platform.start(infra, f"f{uuid.uuid4().hex[:8]}", scheduling=(create_app, SchedulingSettings)) as p:
        yield p


async def published(sched, capacity=5):
    http, edition_id, venue_id = await setup(sched)
    s = (await new_session(http, edition_id, await stamped(sched), venue_id, capacity=capacity)).json()["session"]
    assert (await http.post(f"/v1/editions/{edition_id}/publish", headers=STAFF)).status_code == 200
    return http, edition_id, s["session_id"]


def same_answer(a, b) -> None:
    assert a.status_code == b.status_code == 200 and a.content == b.content
    assert {k: v for k, v in a.headers.items() if k != "date"} == {k: v for k, v in b.headers.items() if k != "date"}


async def test_feeds_are_rendered_once_per_change_with_etag_and_304(sched):
    http, edition_id, session_id = await published(sched)
    for path in ("/v1/programme", "/v1/programme.ics", f"/v1/programme/sessions/{session_id}", f"/v1/programme/sessions/{session_id}.ics"):
        first = await http.get(path)  # rendered, through FastAPI
        again = await http.get(path)  # answered before routing, from the stored bytes
        same_answer(first, again)
        assert again.headers["etag"].startswith('"') and "max-age" in again.headers["cache-control"]
        assert again.headers["x-content-type-options"] == "nosniff", "the fast path keeps the security headers"
        assert (await http.get(path, headers={"if-none-match": again.headers["etag"]})).status_code == 304
        assert (await http.get(path, headers={"if-none-match": f'W/{again.headers["etag"]}, "other"'})).status_code == 304

    url = f"/v1/programme?edition_id={edition_id}"
    before = await http.get(url)
    assert before.json()["sessions"][0]["free_seats"] == 5
    assert (await http.post(f"/v1/sessions/{session_id}/registrations", json={"name": "A", "email": "a@example.org", "party_size": 2})).status_code == 201
    after = await http.get(url, headers={"if-none-match": before.headers["etag"]})
    assert after.status_code == 200 and after.json()["sessions"][0]["free_seats"] == 3, "a change is seen at once"
    assert after.headers["etag"] != before.headers["etag"]
    invalid = await http.get("/v1/programme", params={"date": "not-a-day"})
    assert invalid.status_code == 422 and (await http.get("/v1/programme", params={"date": "not-a-day"})).status_code == 422


async def test_the_page_form_carries_its_own_key_so_a_resent_form_takes_one_seat(sched):
    http, _, session_id = await published(sched)
    page = (await http.get(f"/programme/sessions/{session_id}")).text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    form = {"name": "Sara Lind", "email": "sara@example.org", "party_size": "1", "language": "sv", "idempotency_key": key}
    for _ in range(2):  # a double click
        r = await http.post(f"/programme/sessions/{session_id}/register", data=form)
        assert r.status_code in (200, 201), r.text
    assert len((await http.get(f"/v1/sessions/{session_id}/registrations", headers=STAFF)).json()) == 1


async def test_a_schedule_change_keeps_the_seat_books_keys(sched):
    http, _, session_id = await published(sched, capacity=5)
    url, key = f"/v1/sessions/{session_id}/registrations", {"idempotency-key": str(uuid.uuid4())}
    first = await http.post(url, json={"name": "B", "email": "b@example.org"}, headers=key)
    assert first.status_code == 201
    assert (await http.patch(f"/v1/sessions/{session_id}", json={"capacity": 6}, headers=STAFF)).status_code == 200
    again = await http.post(url, json={"name": "B", "email": "b@example.org"}, headers=key)
    assert again.status_code == 200 and again.json()["token"] == first.json()["token"]
