"""The in-memory programme is rebuilt from the database when the service starts again."""

import uuid

from services.scheduling.main import create_app
from services.scheduling.settings import SchedulingSettings
from shared.auth import Role
from tests.integration.test_scheduling_support import days_ahead, edition_body, publish_initiative, venue_body
from tests.platform import Platform, RawKafka, as_role, eventually, running, settings_for

STAFF = as_role(Role.scheduler)


async def test_a_restarted_service_serves_the_same_programme_and_seats(infra):
    run_id = f"r{uuid.uuid4().hex[:8]}"
    settings = settings_for(SchedulingSettings, infra, run_id)
    cleanup = Platform(infra, run_id)
    cleanup.settings["scheduling"] = settings
    try:
        async with running(create_app(settings)) as http, RawKafka(infra.kafka, f"{run_id}.") as kafka:
            initiative_id = uuid.uuid4().hex
            await publish_initiative(kafka, initiative_id)

            async def copied():
                return (await http.get(f"/v1/initiatives/{initiative_id}")).status_code == 200

            await eventually(copied, what="the initiative copy")
            edition = (await http.post("/v1/editions", json=edition_body(), headers=STAFF)).json()
            venue = (await http.post("/v1/venues", json=venue_body(), headers=STAFF)).json()
            s = (await http.post("/v1/sessions", json={"edition_id": edition["edition_id"], "initiative_id": initiative_id, "venue_id": venue["venue_id"],
                 "capacity": 5, "starts_at": days_ahead(3, 16).isoformat(), "duration_minutes": 60}, headers=STAFF)).json()["session"]
            await http.post(f"/v1/editions/{edition['edition_id']}/publish", headers=STAFF)
            reg = (await http.post(f"/v1/sessions/{s['session_id']}/registrations", json={"name": "A", "email": "a@example.org", "party_size": 2})).json()
            before = (await http.get("/v1/programme", params={"edition_id": edition["edition_id"]})).json()
        async with running(create_app(settings)) as http:
            after = (await http.get("/v1/programme", params={"edition_id": edition["edition_id"]})).json()
            assert after == before and after["sessions"][0]["free_seats"] == 3
            assert (await http.get(f"/v1/registrations/{reg['token']}")).json()["status"] == "confirmed"
            # the venue is still there for conflicts: the same slot is refused
            again = await http.post("/v1/sessions", json={"edition_id": edition["edition_id"], "initiative_id": initiative_id, "venue_id": venue["venue_id"],
                     "capacity": 5, "starts_at": days_ahead(3, 16).isoformat(), "duration_minutes": 60}, headers=STAFF)
            assert again.status_code == 409
    finally:
        await cleanup.cleanup()
