"""A session with many registrations: its document stays small (each registration is its own
document), and a cancellation still frees the seat for the head of the waiting list."""

import uuid

import bson
import pytest
from pymongo import AsyncMongoClient

from services.scheduling.main import create_app
from shared.auth import Role
from tests.integration.test_scheduling_service import new_session, setup, stamped
from tests.integration.test_scheduling_support import DoorOpensDaysAhead
from tests.platform import Platform, as_role

STAFF = as_role(Role.scheduler)
SEATS, MANY = 280, 300


@pytest.fixture(scope="module")
async def sched(infra):
    async with Platform.start(infra, f"b{uuid.uuid4().hex[:8]}", scheduling=(create_app, DoorOpensDaysAhead)) as p:
        yield p


async def seat_book_bytes(sched, session_id: str) -> int:
    """The stored session's state in bytes: what every registration's write reads and rewrites."""
    client = AsyncMongoClient(sched.infra.mongodb)
    try:
        doc = await client[sched.settings["scheduling"].mongodb_database]["sessions"].find_one({"_id": session_id})
        return len(bson.encode(doc["state"]))
    finally:
        await client.close()


async def test_a_session_with_many_registrations_writes_small_and_a_cancellation_promotes_the_head(sched):
    http, edition_id, venue_id = await setup(sched, venue_capacity=SEATS)
    s = (await new_session(http, edition_id, await stamped(sched), venue_id, capacity=SEATS)).json()["session"]
    sid = s["session_id"]
    assert (await http.post(f"/v1/sessions/{sid}/publish", headers=STAFF)).status_code == 200
    url = f"/v1/sessions/{sid}/registrations"
    answers = []
    for i in range(MANY):  # one at a time: each is its own write of the session
        r = await http.post(url, json={"name": f"Person {i}", "email": f"p{i}@example.org"}, headers={"idempotency-key": f"k-{i}"})
        assert r.status_code == 201, r.text
        answers.append(r.json())
        if i == 19:
            after_20 = await seat_book_bytes(sched, sid)
    after_all = await seat_book_bytes(sched, sid)
    # before, every registration added its entry and its key to the session's document (about
    # 300 bytes each: 90 KB at 300); now only the waiting list grows (20 waiting here)
    assert after_all - after_20 < 20 * 400, (after_20, after_all)

    assert [a["status"] for a in answers] == ["confirmed"] * SEATS + ["waitlisted"] * (MANY - SEATS)
    listed = (await http.get(url, headers=STAFF)).json()
    assert [r["registration_id"] for r in listed] == [a["registration_id"] for a in answers], "the schedulers' list, in order"
    assert len({r["code"] for r in listed}) == MANY
    repeat = await http.post(url, json={"name": "Person 7", "email": "p7@example.org"}, headers={"idempotency-key": "k-7"})
    assert repeat.status_code == 200 and repeat.json()["token"] == answers[7]["token"], "a keyed repeat answers the same link"

    head = answers[SEATS]
    gone = await http.delete(f"/v1/registrations/{answers[3]['token']}")
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    promoted = (await http.get(f"/v1/registrations/{head['token']}")).json()
    assert promoted["status"] == "confirmed" and promoted["waitlist_position"] is None
    assert (await http.get(f"/v1/registrations/{answers[SEATS + 1]['token']}")).json()["waitlist_position"] == 1
    view = (await http.get(f"/v1/programme/sessions/{sid}")).json()
    assert view["seats_confirmed"] == SEATS and view["waitlisted"] == MANY - SEATS - 1 and view["free_seats"] == 0
    r = await http.post(f"/v1/sessions/{sid}/check-in", json={"code": promoted["code"].lower()}, headers=STAFF)
    assert r.status_code == 200 and r.json()["attended"] is True and r.json()["registration_id"] == head["registration_id"]

    checked_in = lambda ms: any(m["subject"] == head["registration_id"] and m["type"].endswith("checked_in.v1") for m in ms)  # noqa: E731
    events = await sched.kafka.read("scheduling.registrations.v1", until=checked_in, timeout=120)  # a bound, not a goal: a loaded machine
    # as a consumer takes them: a republication carries the same event id and is skipped (the
    # relay publishes again when it cannot tell whether a publication landed; CloudEvents ids)
    mine = {m["id"]: m for m in events if m["subject"] == head["registration_id"]}
    told = [(m["type"].split(".")[-2], m["data"]["version"]) for m in mine.values()]
    assert told == [("waitlisted", 1), ("promoted", 2), ("checked_in", 3)]
