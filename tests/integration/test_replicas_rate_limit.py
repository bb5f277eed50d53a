"""A sign-up rate is the service's: each of its replicas allows its share (docs/security.md)."""

import uuid

from services.scheduling.main import create_app
from services.scheduling.settings import SchedulingSettings
from tests.platform import Platform, running, settings_for


async def test_each_of_two_replicas_allows_half_the_sign_up_rate(infra):
    run_id = f"q{uuid.uuid4().hex[:8]}"
    settings = settings_for(SchedulingSettings, infra, run_id, signup_rate_per_minute=4, replica_count=2, replica_id="scheduling-1")
    cleanup = Platform(infra, run_id)
    cleanup.settings["scheduling"] = settings
    try:
        async with running(create_app(settings)) as http:
            statuses = [(await http.post("/v1/sessions/nope/registrations", json={"name": "A", "email": "a@example.org"})).status_code
                        for _ in range(3)]
        assert statuses[:2] == [404, 404] and statuses[2] == 429, "4 a minute for the service: 2 at each of its 2 replicas"
    finally:
        await cleanup.cleanup()
