"""Registrations carry no personal data; contacts go only to the contacts topic; erasure tombstones them.
Withdrawn initiatives cancel their sessions; placement proposes and accepts without conflicts."""

import json
import uuid

import pytest

from services.scheduling.main import create_app
from services.scheduling.settings import SchedulingSettings
from shared.auth import Role
from tests.integration.test_scheduling_service import new_session, setup, stamped
from tests.integration.test_scheduling_support import days_ahead, publish_initiative
from tests.platform import Platform, as_role, eventually

STAFF = as_role(Role.scheduler)


@pytest.fixture(scope="module")
async def sched(infra):
    async with Platform.start(infra, f"p{uuid.uuid4().hex[:8]}", scheduling=(create_app, SchedulingSettings)) as p:
        yield p


async def test_registration_events_carry_no_contact_and_erasure_tombstones_it(sched):
    http, edition_id, venue_id = await setup(sched)
    a = await stamped(sched)
    s = (await new_session(http, edition_id, a, venue_id)).json()["session"]
    await http.post(f"/v1/sessions/{s['session_id']}/publish", headers=STAFF)
    r = await http.post(f"/v1/sessions/{s['session_id']}/registrations", json={"name": "Amina Hassan", "email": "Amina@Example.org", "phone": "0701234567"})
    assert r.status_code == 201
    reg = r.json()
    rid = reg["registration_id"]

    events = await sched.kafka.read("scheduling.registrations.v1", until=lambda ms: any(m["subject"] == rid for m in ms))
    mine = [m for m in events if m["subject"] == rid]
    assert [m["type"] for m in mine] == ["se.malmo.oppna.registration.confirmed.v1"]
    raw = json.dumps(mine)
    assert "Amina" not in raw and "example.org" not in raw.lower() and "+46701234567" not in raw

    contacts = await sched.kafka.read("scheduling.contacts.v1", until=lambda ms: any(m and m["subject"] == rid for m in ms))
    contact = next(m for m in contacts if m and m["subject"] == rid)
    assert contact["data"]["name"] == "Amina Hassan" and contact["data"]["phone"] == "+46701234567"
    assert contact["data"]["email"] == "amina@example.org" and contact["data"]["manage_url"].endswith(reg["token"])

    erased = await http.post(f"/v1/registrations/{reg['token']}/erase")
    assert erased.status_code == 200 and erased.json() == {"erased": True}
    tombstones = await _tombstones(sched, rid)
    assert tombstones == 1
    services_db = sched.settings["scheduling"].mongodb_database
    from pymongo import AsyncMongoClient

    client = AsyncMongoClient(sched.infra.mongodb)
    try:
        assert await client[services_db]["contacts"].find_one({"_id": rid}) is None
    finally:
        await client.close()
    # the registration itself stays, anonymous
    assert (await http.get(f"/v1/registrations/{reg['token']}")).json()["status"] == "confirmed"

    # a staff erasure by phone number
    r2 = (await http.post(f"/v1/sessions/{s['session_id']}/registrations", json={"name": "B", "phone": "+46 70 765 43 21"})).json()
    staff = await http.post("/v1/contacts/erase", json={"phone": "070-765 43 21"}, headers=STAFF)
    assert staff.json()["registration_ids"] == [r2["registration_id"]]


async def test_a_repeat_under_its_idempotency_key_after_an_erasure_does_not_bring_the_contact_back(sched):
    http, edition_id, venue_id = await setup(sched)
    a = await stamped(sched)
    s = (await new_session(http, edition_id, a, venue_id)).json()["session"]
    await http.post(f"/v1/sessions/{s['session_id']}/publish", headers=STAFF)
    body, key = {"name": "Sara Lind", "email": "sara.lind@example.org"}, {"Idempotency-Key": uuid.uuid4().hex}
    first = await http.post(f"/v1/sessions/{s['session_id']}/registrations", json=body, headers=key)
    assert first.status_code == 201, first.text
    rid = first.json()["registration_id"]
    assert (await http.post(f"/v1/registrations/{first.json()['token']}/erase")).json() == {"erased": True}

    # the resident's phone sends the same request again (a retry after a lost answer)
    again = await http.post(f"/v1/sessions/{s['session_id']}/registrations", json=body, headers=key)
    assert again.status_code == 200 and again.json()["registration_id"] == rid, again.text
    from pymongo import AsyncMongoClient

    client = AsyncMongoClient(sched.infra.mongodb)
    try:
        doc = await client[sched.settings["scheduling"].mongodb_database]["contacts"].find_one({"_id": rid})
    finally:
        await client.close()
    assert doc is None or "sara" not in json.dumps(doc, default=str).lower(), "erased stays erased"


async def _tombstones(sched, key: str) -> int:
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from shared.kafka.security import client_options

    consumer = AIOKafkaConsumer(bootstrap_servers=sched.infra.kafka, enable_auto_commit=False, **client_options())
    await consumer.start()
    try:
        name = f"{sched.run_id}.scheduling.contacts.v1"
        await consumer._client.force_metadata_update()
        parts = [TopicPartition(name, p) for p in consumer.partitions_for_topic(name)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        found = 0
        for _ in range(30):
            batch = await consumer.getmany(timeout_ms=200)
            found += sum(1 for msgs in batch.values() for m in msgs if m.value is None and m.key == key.encode())
            if found:
                return found
        return found
    finally:
        await consumer.stop()


@pytest.mark.parametrize("how", ["withdrawn", "rejected"])
async def test_a_withdrawn_or_rejected_initiative_cancels_its_sessions(sched, how):
    http, edition_id, venue_id = await setup(sched)
    a = await stamped(sched)
    s = (await new_session(http, edition_id, a, venue_id)).json()["session"]
    await http.post(f"/v1/sessions/{s['session_id']}/publish", headers=STAFF)
    await publish_initiative(sched.kafka, a, version=2, status=how, stamped=False, withdrawn=how == "withdrawn", rejected=how == "rejected")

    async def cancelled():
        r = await http.get(f"/v1/programme/sessions/{s['session_id']}")
        return r.json() if r.json()["status"] == "cancelled" else None

    view = await eventually(cancelled, what="the session to be cancelled")
    assert view["cancellation_reason"] == f"initiative_{how}"
    events = await sched.kafka.read("scheduling.sessions.v1", until=lambda ms: any(m["type"].endswith("session.cancelled.v1") and m["subject"] == s["session_id"] for m in ms))
    assert [m["type"] for m in events if m["subject"] == s["session_id"]][-1] == "se.malmo.oppna.session.cancelled.v1"


async def test_placement_proposes_a_conflict_free_draft_that_a_scheduler_accepts(sched):
    http, edition_id, venue_id = await setup(sched)
    ids = [await stamped(sched) for _ in range(3)]
    drafts = []
    for i in ids:
        r = await http.post(
            "/v1/sessions",
            json={"edition_id": edition_id, "initiative_id": i, "capacity": 30, "duration_minutes": 120, "preferred_days": [days_ahead(5).date().isoformat()]},
            headers=STAFF,
        )
        assert r.status_code == 201 and r.json()["session"]["status"] == "draft"
        drafts.append(r.json()["session"]["session_id"])
    proposal = await http.post(f"/v1/editions/{edition_id}/placement", headers=STAFF)
    assert proposal.status_code == 200, proposal.text
    body = proposal.json()
    assert sorted(p["session_id"] for p in body["placements"]) == sorted(drafts) and body["unplaced"] == []
    accepted = await http.post(f"/v1/editions/{edition_id}/placement/accept", json={"placements": [{k: p[k] for k in ("session_id", "venue_id", "starts_at", "ends_at")} for p in body["placements"]]}, headers=STAFF)
    results = accepted.json()["results"]
    assert all(r["accepted"] and r["conflicts"] == [] for r in results), results
    listed = (await http.get("/v1/sessions", params={"edition_id": edition_id}, headers=STAFF)).json()
    assert {s["status"] for s in listed} == {"scheduled"}
