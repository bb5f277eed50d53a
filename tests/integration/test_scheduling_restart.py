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
