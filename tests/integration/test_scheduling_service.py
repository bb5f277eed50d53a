"""Scheduling on the real broker and database: editions, venues, sessions, conflicts, the programme, registrations."""

import asyncio
import time
import uuid

import pytest
from icalendar import Calendar

from services.scheduling.main import create_app
from shared.auth import Role
from tests.integration.test_scheduling_support import DoorOpensDaysAhead, days_ahead, edition_body, publish_initiative, uid, venue_body
from tests.platform import Platform, as_role, eventually

STAFF = as_role(Role.scheduler)


@pytest.fixture(scope="module")
async def sched(infra):
    async with Platform.start(infra, f"s{uuid.uuid4().hex[:8]}", scheduling=(create_app, DoorOpensDaysAhead)) as p:
        yield p


async def stamped(sched, **kw) -> str:
    initiative_id = uid()
    await publish_initiative(sched.kafka, initiative_id, **kw)
    http = sched.http["scheduling"]
    await eventually(lambda: _ok(http.get(f"/v1/initiatives/{initiative_id}")), what="the initiative copy")
    return initiative_id


async def _ok(request):
    r = await request
    return r.status_code == 200


async def setup(sched, capacity=100, venue_capacity=100):
    http = sched.http["scheduling"]
    edition = (await http.post("/v1/editions", json=edition_body(), headers=STAFF)).json()
    venue = (await http.post("/v1/venues", json=venue_body(capacity=venue_capacity), headers=STAFF)).json()
    return http, edition["edition_id"], venue["venue_id"]


async def new_session(http, edition_id, initiative_id, venue_id, day=3, hour=16, capacity=50, **kw):
    body = {
        "edition_id": edition_id,
        "initiative_id": initiative_id,
        "venue_id": venue_id,
        "starts_at": days_ahead(day, hour).isoformat(),
        "ends_at": days_ahead(day, hour + 2).isoformat(),
        "capacity": capacity,
        **kw,
    }
    return await http.post("/v1/sessions", json=body, headers=STAFF)


async def test_writes_need_a_scheduler_key(sched):
    r = await sched.http["scheduling"].post("/v1/editions", json=edition_body())
    assert r.status_code == 401


async def test_conflicts_block_or_warn_with_reasons(sched):
    http, edition_id, venue_id = await setup(sched)
    a, b = await stamped(sched), await stamped(sched, accessibility=["hearing_loop"])
    first = await new_session(http, edition_id, a, venue_id)
    assert first.status_code == 201, first.text
    assert first.json()["session"]["status"] == "scheduled"
    clash = await new_session(http, edition_id, b, venue_id, hour=17, capacity=500)
    assert clash.status_code == 409
    rules = {c["rule"]: c["mode"] for c in clash.json()["conflicts"]}
    assert rules == {"venue_double_booked": "block", "capacity_exceeds_venue": "block", "accessibility_missing": "warn"}
    assert all(c["message"] for c in clash.json()["conflicts"])
    # a warning alone lets the write through, and is reported
    ok = await new_session(http, edition_id, b, venue_id, day=4)
    assert ok.status_code == 201
    assert [c["rule"] for c in ok.json()["conflicts"]] == ["accessibility_missing"]
    # the curators make it block
    r = await http.patch(f"/v1/editions/{edition_id}", json={"rules": {"accessibility_missing": "block"}}, headers=STAFF)
    assert r.status_code == 200 and r.json()["rules"]["accessibility_missing"] == "block"
    assert (await new_session(http, edition_id, b, venue_id, day=5)).status_code == 409
    # a venue that shrinks: the answer tells which sessions now conflict
    smaller = await http.put(f"/v1/venues/{venue_id}", json=venue_body(capacity=20), headers=STAFF)
    assert smaller.status_code == 200
    assert {(c["session_id"], c["rule"]) for c in smaller.json()["conflicts"]} >= {(first.json()["session"]["session_id"], "capacity_exceeds_venue")}
    listed = (await http.get(f"/v1/editions/{edition_id}/conflicts", headers=STAFF)).json()
    assert {c["rule"] for c in listed["conflicts"]} == {"capacity_exceeds_venue", "accessibility_missing"}


async def test_bad_input_is_a_clear_4xx_naming_the_field(sched):
    http, edition_id, venue_id = await setup(sched)
    a = await stamped(sched)
    past = await new_session(http, edition_id, a, venue_id, day=-2)
    assert past.status_code == 409 and _fields(past) == [("starts_at", "in_past")]
    body = {"edition_id": edition_id, "initiative_id": a, "venue_id": venue_id, "capacity": 10,
            "starts_at": days_ahead(3, 16).isoformat(), "ends_at": days_ahead(3, 15).isoformat()}
    backwards = await http.post("/v1/sessions", json=body, headers=STAFF)
    assert backwards.status_code == 422 and ("ends_at", "before_start") in _fields(backwards)
    nowhere = await new_session(http, edition_id, a, "no-such-venue")
    assert nowhere.status_code == 409 and _fields(nowhere) == [("venue_id", "not_found")]
    unstamped = await stamped(sched, status="in_review", stamped=False)
    refused = await new_session(http, edition_id, unstamped, venue_id)
    assert refused.status_code == 409 and _fields(refused) == [("initiative_id", "not_stamped")]
    s = (await new_session(http, edition_id, a, venue_id, day=6, max_party_size=2)).json()["session"]
    await http.post(f"/v1/sessions/{s['session_id']}/publish", headers=STAFF)
    url = f"/v1/sessions/{s['session_id']}/registrations"
    bad_phone = await http.post(url, json={"name": "A", "phone": "12345"})
    assert bad_phone.status_code == 422 and _fields(bad_phone) == [("phone", "invalid_phone")]
    big = await http.post(url, json={"name": "A", "email": "a@example.org", "party_size": 3})
    assert big.status_code == 409 and _fields(big) == [("party_size", "too_large")]
    none = await http.post(url, json={"name": "A"})
    assert none.status_code == 422 and _fields(none) == [("email", "missing_contact")]
    good = await http.post(url, json={"name": "A", "phone": "070-123 45 67"})
    assert good.status_code == 201, good.text


async def test_the_published_programme_filters_and_feeds_ics_with_cancellations(sched):
    http, edition_id, venue_id = await setup(sched)
    a, b = await stamped(sched), await stamped(sched, themes=["inclusion"], languages=["en"])
    s1 = (await new_session(http, edition_id, a, venue_id, day=3)).json()["session"]
    s2 = (await new_session(http, edition_id, b, venue_id, day=4, registration_required=False)).json()["session"]
    assert (await http.get("/v1/programme", params={"edition_id": edition_id})).json()["count"] == 0
    r = await http.post(f"/v1/editions/{edition_id}/publish", headers=STAFF)
    assert r.status_code == 200 and r.json()["status"] == "programme_published"
    everything = (await http.get("/v1/programme", params={"edition_id": edition_id})).json()
    assert [s["session_id"] for s in everything["sessions"]] == [s1["session_id"], s2["session_id"]]
    theme = (await http.get("/v1/programme", params={"edition_id": edition_id, "theme": "inclusion"})).json()
    assert [s["session_id"] for s in theme["sessions"]] == [s2["session_id"]]
    lang = (await http.get("/v1/programme", params={"edition_id": edition_id, "language": "ar"})).json()
    assert [s["session_id"] for s in lang["sessions"]] == [s1["session_id"]]
    day = days_ahead(4, 16).date().isoformat()
    assert [s["session_id"] for s in (await http.get("/v1/programme", params={"edition_id": edition_id, "date": day})).json()["sessions"]] == [s2["session_id"]]
    one = await http.get(f"/v1/programme/sessions/{s1['session_id']}")
    assert one.status_code == 200 and one.json()["free_seats"] == 50

    await http.post(f"/v1/sessions/{s1['session_id']}/cancel", json={"reason": "Sjukdom"}, headers=STAFF)
    feed = await http.get("/v1/programme.ics", params={"edition_id": edition_id})
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(feed.content)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert str(events[f"{s1['session_id']}@oppna.malmo.se"]["STATUS"]) == "CANCELLED"
    assert str(events[f"{s2['session_id']}@oppna.malmo.se"]["STATUS"]) == "CONFIRMED"
    ev = events[f"{s2['session_id']}@oppna.malmo.se"]
    assert ev["DTSTART"].params["TZID"] == "Europe/Stockholm" and "DTSTAMP" in ev
    single = await http.get(f"/v1/programme/sessions/{s2['session_id']}.ics")
    assert len(Calendar.from_ical(single.content).walk("VEVENT")) == 1
    free = (await http.get("/v1/programme", params={"edition_id": edition_id, "free_seats": "true"})).json()
    assert [s["session_id"] for s in free["sessions"]] == [s2["session_id"]]


async def test_200_concurrent_registrations_at_50_seats_confirm_exactly_50(sched):
    http, edition_id, venue_id = await setup(sched)
    a = await stamped(sched)
    s = (await new_session(http, edition_id, a, venue_id, capacity=50)).json()["session"]
    assert (await http.post(f"/v1/sessions/{s['session_id']}/publish", headers=STAFF)).status_code == 200
    url = f"/v1/sessions/{s['session_id']}/registrations"
    started = time.perf_counter()
    answers = await asyncio.gather(
        *(http.post(url, json={"name": f"Person {i}", "email": f"p{i}@example.org"}) for i in range(200))
    )
    elapsed = time.perf_counter() - started
    assert all(r.status_code == 201 for r in answers), {r.status_code for r in answers}
    statuses = [r.json()["status"] for r in answers]
    assert statuses.count("confirmed") == 50 and statuses.count("waitlisted") == 150
    listed = (await http.get(url, headers=STAFF)).json()
    assert [r["status"] for r in listed] == ["confirmed"] * 50 + ["waitlisted"] * 150  # in the order taken
    assert [r["waitlist_position"] for r in listed[50:]] == list(range(1, 151))
    view = (await http.get(f"/v1/programme/sessions/{s['session_id']}")).json()
    assert view["seats_confirmed"] == 50 and view["waitlisted"] == 150 and view["free_seats"] == 0
    print(f"\n200 concurrent registrations took {elapsed:.2f}s")

    # a confirmed resident cancels through the private link: the first waitlisted is promoted
    confirmed = next(r.json() for r in answers if r.json()["registration_id"] == listed[0]["registration_id"])
    gone = await http.delete(f"/v1/registrations/{confirmed['token']}")
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    listed = (await http.get(url, headers=STAFF)).json()
    assert listed[50]["status"] == "confirmed" and listed[51]["waitlist_position"] == 1
    # check-in at the door by the code
    code = listed[1]["code"]
    r = await http.post(f"/v1/sessions/{s['session_id']}/check-in", json={"code": code}, headers=STAFF)
    assert r.status_code == 200 and r.json()["attended"] is True
    assert (await http.post(f"/v1/sessions/{s['session_id']}/check-in", json={"code": "ZZZZZZ"}, headers=STAFF)).status_code == 404


def _fields(r):
    return [(d["field"], d["code"]) for d in r.json()["detail"]]
