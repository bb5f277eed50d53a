"""Registrants' contacts are erased CONTACT_RETENTION_DAYS after their session ended, in scheduling and
in notifications' copy, and counted — on the real Kafka and FerretDB, both services in this event loop.

The retention sweep's clock is the test's: it is moved past the first session's end plus the
retention (2 days here), while the second session is still to come.
"""

import contextlib
import uuid
from datetime import datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient

from services.notifications.devservers import SmsGateway, SmtpSink
from services.notifications.main import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from services.scheduling.main import create_app as scheduling_app
from services.scheduling.settings import SchedulingSettings
from shared.auth import Role
from tests.integration.test_scheduling_service import new_session, setup, stamped
from tests.platform import Platform, RawKafka, as_role, eventually, running, settings_for

pytestmark = pytest.mark.integration
STAFF = as_role(Role.scheduler)
RETENTION_DAYS = 2


@contextlib.asynccontextmanager
async def scheduling_and_notifications(infra, prefix: str):
    platform, smtp, sms = Platform(infra, prefix), SmtpSink().start(), SmsGateway()
    platform.settings = {
        "scheduling": settings_for(SchedulingSettings, infra, prefix, contact_retention_days=RETENTION_DAYS, contact_retention_sweep_s=0.2),
        "notifications": settings_for(NotificationsSettings, infra, prefix, smtp_port=smtp.port, sms_gateway_url=sms.url, timer_interval_s=0.2,
                                      token_secret="integration-secret"),
    }
    apps = {"scheduling": scheduling_app(platform.settings["scheduling"]), "notifications": notifications_app(platform.settings["notifications"])}
    try:
        async with sms.running(), running(apps["scheduling"]) as s, running(apps["notifications"]) as n, RawKafka(infra.kafka, f"{prefix}.") as kafka:
            platform.http, platform.kafka = {"scheduling": s, "notifications": n}, kafka
            yield platform, apps["scheduling"].state.retention
    finally:
        smtp.stop()
        await platform.cleanup()


@pytest.fixture
async def both(infra, run_id):
    async with scheduling_and_notifications(infra, f"{run_id}k{uuid.uuid4().hex[:4]}") as found:
        yield found


async def erased_count(http, service: str) -> float:
    """``om_contacts_erased_total{service, reason="retention"}`` as the service's /metrics shows it."""
    text = (await http.get("/metrics")).text
    return sum(s.value for f in text_string_to_metric_families(text) if f.name == "om_contacts_erased" for s in f.samples
               if s.name == "om_contacts_erased_total" and s.labels == {"service": service, "reason": "retention"})


async def test_contacts_are_erased_everywhere_once_their_session_ended_longer_ago_than_the_retention(both):
    platform, retention = both
    http, edition_id, venue_id = await setup(platform)
    initiative = await stamped(platform)
    ended, coming = [(await new_session(http, edition_id, initiative, venue_id, day=day)).json()["session"] for day in (3, 10)]
    registrations = {}
    for s in (ended, coming):
        assert (await http.post(f"/v1/sessions/{s['session_id']}/publish", headers=STAFF)).status_code == 200
        r = await http.post(f"/v1/sessions/{s['session_id']}/registrations", json={"name": "Amina Hassan", "email": f"{s['session_id']}@example.org"})
        assert r.status_code == 201, r.text
        registrations[s["session_id"]] = r.json()
    gone, kept = registrations[ended["session_id"]]["registration_id"], registrations[coming["session_id"]]["registration_id"]

    mongo = AsyncMongoClient(platform.infra.mongodb, timeoutMS=20000)
    sched_db, notif_db = (mongo[platform.settings[n].mongodb_database] for n in ("scheduling", "notifications"))

    async def notifications_has(rid: str) -> bool:
        doc = await notif_db["contacts"].find_one({"_id": rid})
        return bool(doc and doc["state"].get("email"))

    try:
        for rid in (gone, kept):
            await eventually(lambda rid=rid: notifications_has(rid), what="notifications' copy of the contact")
        before = {n: await erased_count(platform.http[n], n) for n in ("scheduling", "notifications")}

        end = datetime.fromisoformat(ended["ends_at"])
        retention.clock = lambda: end + timedelta(days=RETENTION_DAYS, minutes=1)

        async def erased_in_both() -> bool:
            return await sched_db["contacts"].find_one({"_id": gone}) is None and not await notifications_has(gone)

        await eventually(erased_in_both, what="the ended session's contact to be erased in scheduling and notifications")
        assert await sched_db["contacts"].find_one({"_id": kept}) is not None, "the coming session's contact stays"
        assert await notifications_has(kept)

        async def counted() -> dict | None:
            now = {n: await erased_count(platform.http[n], n) for n in ("scheduling", "notifications")}
            return now if all(now[n] >= before[n] + 1 for n in now) else None

        after = await eventually(counted, what="the erasure counted by reason retention in both services")
        assert after == {n: before[n] + 1 for n in before}
        # the registration itself stays, anonymous: its private link still shows it
        view = await http.get(f"/v1/registrations/{registrations[ended['session_id']]['token']}")
        assert view.status_code == 200 and view.json()["status"] == "confirmed"
    finally:
        await mongo.close()
