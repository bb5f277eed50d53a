"""The in-memory programme is rebuilt from the database when the service starts again."""

import contextlib
import uuid

from services.scheduling.main import create_app
from services.scheduling.settings import SchedulingSettings
from shared.auth import Role
from tests.integration.test_scheduling_support import days_ahead, published_session
from tests.platform import Platform, RawKafka, as_role, running, settings_for

STAFF = as_role(Role.scheduler)


@contextlib.asynccontextmanager
async def own_database(infra, letter: str):
    """Settings of a scheduling service on a database and topics of its own, dropped afterwards."""
    run_id = f"{letter}{uuid.uuid4().hex[:8]}"
    settings = settings_for(SchedulingSettings, infra, run_id)
    cleanup = Platform(infra, run_id)
    cleanup.settings["scheduling"] = settings
    try:
        yield settings, run_id
    finally:
        await cleanup.cleanup()


async def test_a_restarted_service_serves_the_same_programme_and_seats(infra):
    async with own_database(infra, "r") as (settings, run_id):
        async with running(create_app(settings)) as http, RawKafka(infra.kafka, f"{run_id}.") as kafka:
            made = await published_session(http, kafka, capacity=5)
            reg = (await http.post(f"/v1/sessions/{made['session_id']}/registrations", json={"name": "A", "email": "a@example.org", "party_size": 2})).json()
            before = (await http.get("/v1/programme", params={"edition_id": made["edition_id"]})).json()
        async with running(create_app(settings)) as http:
            after = (await http.get("/v1/programme", params={"edition_id": made["edition_id"]})).json()
            assert after == before and after["sessions"][0]["free_seats"] == 3
            assert (await http.get(f"/v1/registrations/{reg['token']}")).json()["status"] == "confirmed"
            # the venue is still there for conflicts: the same slot is refused
            again = await http.post("/v1/sessions", json={"edition_id": made["edition_id"], "initiative_id": made["initiative_id"], "venue_id": made["venue_id"],
                     "capacity": 5, "starts_at": days_ahead(3, 16).isoformat(), "duration_minutes": 60}, headers=STAFF)
            assert again.status_code == 409


async def as_stored_before_the_split(settings, session_id: str) -> None:
    """Rewrite a session as the service stored it when every registration lived in the session's
    document (and its own document held only the link's hash)."""
    from pymongo import AsyncMongoClient

    client = AsyncMongoClient(settings.mongodb_url)
    try:
        db = client[settings.mongodb_database]
        doc = await db["sessions"].find_one({"_id": session_id})
        docs = [d async for d in db["registrations"].find({"session_id": session_id})]
        keep = ("status", "party_size", "language", "channel", "registered_at", "code", "attended", "version", "seq")
        state = {k: v for k, v in doc["state"].items() if k not in ("seats_confirmed", "changed", "taken")}
        state["registrations"] = {d["_id"]: {k: d[k] for k in keep} for d in docs}
        state["waitlist"] = [w["registration_id"] for w in doc["state"]["waitlist"]]
        state["idempotency_keys"] = {d["idempotency_ref"]: d["_id"] for d in docs if d.get("idempotency_ref")}
        await db["sessions"].update_one({"_id": session_id}, {"$set": {"state": state}})
        for d in docs:
            await db["registrations"].replace_one({"_id": d["_id"]}, {"session_id": session_id, "token_sha256": d["token_sha256"]})
    finally:
        await client.close()


async def test_a_session_stored_with_its_registrations_inside_is_served_the_same_after_a_restart(infra):
    async with own_database(infra, "u") as (settings, run_id):
        async with running(create_app(settings)) as http, RawKafka(infra.kafka, f"{run_id}.") as kafka:
            made = await published_session(http, kafka, capacity=2)
            url = f"/v1/sessions/{made['session_id']}/registrations"
            regs = [(await http.post(url, json={"name": n, "email": f"{n}@example.org"}, headers={"idempotency-key": f"key-{n}"})).json() for n in "abc"]
            listed = (await http.get(url, headers=STAFF)).json()
        await as_stored_before_the_split(settings, made["session_id"])
        async with running(create_app(settings)) as http:
            assert (await http.get(url, headers=STAFF)).json() == listed
            again = await http.post(url, json={"name": "a", "email": "a@example.org"}, headers={"idempotency-key": "key-a"})
            assert again.status_code == 200 and again.json()["token"] == regs[0]["token"]
            assert (await http.delete(f"/v1/registrations/{regs[0]['token']}")).json()["status"] == "cancelled"
            assert (await http.get(f"/v1/registrations/{regs[2]['token']}")).json()["status"] == "confirmed", "the head is promoted"
            view = (await http.get(f"/v1/programme/sessions/{made['session_id']}")).json()
            assert view["seats_confirmed"] == 2 and view["waitlisted"] == 0
