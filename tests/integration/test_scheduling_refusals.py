"""What scheduling refuses at its edges, on the real broker and database: a check-in outside its
window (and one code taken at once by several doors, told apart), an edition planned again with
other content, an edition's dates or submission window turned backwards; and what placement
leaves out (only what a venue lacks), with its reason."""

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest

from services.scheduling.main import create_app
from shared.auth import Role
from tests.integration.test_scheduling_service import new_session, setup, stamped
from tests.integration.test_scheduling_support import CHECK_IN_OPENS_DAYS_AHEAD, DoorOpensDaysAhead, days_ahead, edition_body, uid
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


async def test_two_doors_taking_one_code_at_once_are_told_apart(sched):
    """One write decides: of ten check-ins of one code at the same moment (two doors, people
    pressing twice), exactly one is told it checked the person in; the others, already."""
    http, edition_id, venue_id = await setup(sched)
    session = (await new_session(http, edition_id, await stamped(sched), venue_id, day=3)).json()["session"]
    person = await registered(http, session["session_id"])
    answers = await asyncio.gather(*(http.post(f"/v1/sessions/{session['session_id']}/check-in", json={"code": person["code"]}, headers=STAFF)
                                     for _ in range(10)))
    assert all(r.status_code == 200 and r.json()["attended"] for r in answers), [r.text for r in answers]
    assert sorted(r.json()["checked_in_now"] for r in answers) == [False] * 9 + [True]
    again = await http.post(f"/v1/sessions/{session['session_id']}/check-in", json={"code": person["code"]}, headers=STAFF)
    assert again.json()["checked_in_now"] is False


def _day(n: int) -> str:
    return days_ahead(n).date().isoformat()


async def test_an_edition_planned_again_with_other_dates_is_a_conflict_and_the_very_same_is_idempotent(sched):
    http = sched.http["scheduling"]
    body = edition_body(f"om-{uid()[:8]}")
    first = await http.post("/v1/editions", json=body, headers=STAFF)
    assert first.status_code == 201, first.text
    same = await http.post("/v1/editions", json=body, headers=STAFF)
    assert same.status_code == 200 and same.json() == first.json(), same.text
    moved = await http.post("/v1/editions", json={**body, "ends_on": _day(25)}, headers=STAFF)
    assert moved.status_code == 409 and _fields(moved) == [("edition_id", "exists")], moved.text
    assert (await http.get(f"/v1/editions/{body['edition_id']}")).json()["ends_on"] == body["ends_on"]


async def test_a_patch_turning_the_submission_window_or_the_period_backwards_is_refused_naming_the_field(sched):
    http = sched.http["scheduling"]
    body = {**edition_body(), "submission_opens_on": _day(-30), "submission_closes_on": _day(-5)}
    edition = (await http.post("/v1/editions", json=body, headers=STAFF)).json()
    url = f"/v1/editions/{edition['edition_id']}"
    opens_late = await http.patch(url, json={"submission_opens_on": _day(-1)}, headers=STAFF)  # after the stored closing day
    assert opens_late.status_code == 422 and _fields(opens_late) == [("submission_opens_on", "after_close")], opens_late.text
    closes_early = await http.patch(url, json={"submission_closes_on": _day(-40)}, headers=STAFF)
    assert closes_early.status_code == 422 and _fields(closes_early) == [("submission_closes_on", "before_open")]
    both = await http.patch(url, json={"submission_opens_on": _day(-3), "submission_closes_on": _day(-4)}, headers=STAFF)
    assert both.status_code == 422 and _fields(both) == [("submission_closes_on", "before_open")]
    starts_late = await http.patch(url, json={"starts_on": _day(30)}, headers=STAFF)  # after the stored last day
    assert starts_late.status_code == 422 and _fields(starts_late) == [("starts_on", "after_end")]
    stored = (await http.get(url)).json()
    assert (stored["submission_opens_on"], stored["submission_closes_on"], stored["starts_on"]) == (body["submission_opens_on"], body["submission_closes_on"], body["starts_on"])
    moved = await http.patch(url, json={"submission_closes_on": _day(-2)}, headers=STAFF)
    assert moved.status_code == 200 and moved.json()["submission_closes_on"] == _day(-2)


async def test_placement_places_what_the_organiser_brings_and_leaves_out_only_what_no_venue_has(sched):
    http, edition_id, _ = await setup(sched)  # its venue has wheelchair (the test venue's code), nothing else
    interpreted = await stamped(sched, accessibility=["sign_language", "easy_swedish"])
    ramp = await stamped(sched, accessibility=["wheelchair_access"])
    drafts = {}
    for initiative_id in (interpreted, ramp):
        r = await http.post("/v1/sessions", json={"edition_id": edition_id, "initiative_id": initiative_id, "capacity": 30, "duration_minutes": 90}, headers=STAFF)
        assert r.status_code == 201, r.text
        drafts[initiative_id] = r.json()["session"]["session_id"]
    proposal = await http.post(f"/v1/editions/{edition_id}/placement", headers=STAFF)
    assert proposal.status_code == 200, proposal.text
    body = proposal.json()
    assert [p["session_id"] for p in body["placements"]] == [drafts[interpreted]]
    (left,) = body["unplaced"]
    assert left["session_id"] == drafts[ramp] and left["code"] == "no_venue_has_feature" and "wheelchair_access" in left["reason"]
