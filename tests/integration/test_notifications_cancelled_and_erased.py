"""Messages to a registrant who cancelled or was erased end at once, on the real Kafka and FerretDB.

- A confirmation SMS made at night waits for 08:00 (quiet hours). If the resident cancels the
  registration meanwhile, nothing reaches the SMS gateway at 08:00: the message ends ``cancelled``.
- A session change made at night waits for 08:00 too. A registrant who cancels meanwhile gets
  nothing at 08:00: the cancellation ends their waiting messages ``cancelled``
  (``registration_cancelled``); the others get the change. So does a registrant who cancels while
  the change is being handed over to the others: their message, not handed over yet, ends so too.
- A session change reaching a registrant whose contact scheduling erased (a tombstone on
  ``scheduling.contacts.v1``) ends ``cancelled`` (``recipient_erased``) at once, instead of being
  postponed and rewritten every few seconds until the session starts.

The service runs in this event loop with the local SMTP sink and SMS gateway
(``services/notifications/devservers/``); the clock the service reads is the test's.
"""

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from pymongo import AsyncMongoClient

from services.notifications.devservers import SmsGateway, SmtpSink
from services.notifications.domain.messages import FINAL
from services.notifications.domain.quiet_hours import STOCKHOLM
from services.notifications.main import create_app
from services.notifications.settings import NotificationsSettings
from shared.envelope import new_event
from shared.events import scheduling as ev
from shared.kafka.topic_admin import delete_prefixed_topics
from tests.integration.test_notifications_delivery import contact, edition, registration, session, stored_messages, uid
from tests.platform import RawKafka, eventually, running, settings_for

pytestmark = pytest.mark.integration
SCHED = "urn:malmo:oppna:scheduling"


class Clock:
    """The service's clock: real time until the test sets ``at``."""

    def __init__(self):
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        return self.at or datetime.now(UTC)


class Env:
    def __init__(self, kafka, smtp, sms, db, clock):
        self.kafka, self.smtp, self.sms, self.db, self.clock = kafka, smtp, sms, db, clock

    async def publish(self, topic: str, data, subject: str) -> None:
        await self.kafka.send(topic, new_event(data, source=SCHED, subject=subject).to_bytes(), key=subject)

    async def tombstone(self, topic: str, key: str) -> None:
        await self.kafka.send(topic, None, key=key)

    async def messages_to(self, rid: str, category: str) -> list[dict]:
        return await stored_messages(self.db, **{"recipient.key": f"registration:{rid}", "category": category})

    async def all_made(self, rids: tuple[str, ...], category: str) -> list[dict] | None:
        """The messages of ``category`` to the registrants ``rids``, once there is one for each."""
        found = [m for rid in rids for m in await self.messages_to(rid, category)]
        return found if len(found) == len(rids) else None

    async def final(self, rid: str, category: str) -> dict | None:
        found = await self.messages_to(rid, category)
        return found[0] if found and found[0]["status"] in FINAL else None

    async def session_by_sms(self, phones: dict[str, str], start: datetime, confirmed: bool = True) -> tuple[str, str]:
        """A published session (its edition's reminder 24 h before) with a registrant by SMS per
        registration id of ``phones``; ``confirmed``: wait for each one's confirmation to be sent."""
        ed, sid = uid("ed"), uid("s")
        await self.publish("scheduling.sessions.v1", edition(ed), ed)
        await self.publish("scheduling.sessions.v1", session(sid, ed, start), sid)
        # the session's copy first, as the contact below: a message that overtook it would wait for the clock
        await eventually(lambda: self.db["sessions"].find_one({"_id": sid}), what="the session")
        for rid, phone in phones.items():
            await self.publish("scheduling.contacts.v1", contact(rid, sid, phone=phone), rid)
            # the contact first: a message that overtook it would wait for the clock, which the test holds still
            await eventually(lambda rid=rid: self.db["contacts"].find_one({"_id": rid}), what="the contact")
            await self.publish("scheduling.registrations.v1", registration(rid, sid, ed, channel="sms"), rid)
            if confirmed:
                await eventually(lambda rid=rid: self.final(rid, "registration_confirmed"), what="the confirmation")
        return ed, sid

    async def reschedule(self, sid: str, ed: str, start: datetime, then: datetime) -> None:
        """Move the session two hours later, and once the change is noticed the clock to ``then``."""
        moved = session(sid, ed, start + timedelta(hours=2), version=2, cls=ev.SessionRescheduledV1, status="rescheduled", previous_starts_at=start)
        await self.publish("scheduling.sessions.v1", moved, sid)

        async def noticed() -> bool:
            return await self.db["change_notices"].find_one({"_id": sid}) is not None

        await eventually(noticed, what="the change to be noticed")
        self.clock.at = then

    async def cancel(self, rid: str, sid: str, ed: str) -> None:
        """The resident cancels the registration; returns once notifications' copy says so."""
        await self.publish("scheduling.registrations.v1", registration(rid, sid, ed, cls=ev.RegistrationCancelledV1, status="cancelled", channel="sms", version=2), rid)

        async def copy_cancelled() -> bool:
            doc = await self.db["registrations"].find_one({"_id": rid})
            return bool(doc and doc["state"]["status"] == "cancelled")

        await eventually(copy_cancelled, what="the cancellation to reach notifications")

    async def only_kept_told(self, kept: str, cancelled: str, category: str) -> None:
        """``kept``'s message of ``category`` is sent, ``cancelled``'s ends cancelled for the cancellation."""
        sent = await eventually(lambda: self.final(kept, category), what=f"the kept registrant's {category}")
        assert sent["status"] == "sent"
        ended = await eventually(lambda: self.final(cancelled, category), what=f"the cancelled registrant's {category} to end")
        assert (ended["status"], ended.get("cancelled_because")) == ("cancelled", "registration_cancelled")


@contextlib.asynccontextmanager
async def notifications(infra, prefix: str, **overrides):
    smtp, sms = SmtpSink().start(), SmsGateway()
    settings = settings_for(NotificationsSettings, infra, prefix, smtp_port=smtp.port, sms_gateway_url=sms.url, timer_interval_s=0.2,
                            change_debounce_s=0.5, token_secret="integration-secret", **overrides)
    app, clock = create_app(settings), Clock()
    mongo = AsyncMongoClient(infra.mongodb, timeoutMS=20000, tz_aware=True)
    try:
        async with sms.running(), running(app), RawKafka(infra.kafka, f"{prefix}.") as kafka:
            app.state.clock.source = clock
            yield Env(kafka, smtp, sms, mongo[settings.mongodb_database], clock)
    finally:
        smtp.stop()
        await mongo.drop_database(settings.mongodb_database)
        await mongo.close()
        await delete_prefixed_topics(infra.kafka, f"{prefix}.")


@pytest.fixture
async def env(infra, run_id):
    # one service per test: the timer's walk follows the clock forward, and one test moves it by days
    async with notifications(infra, f"{run_id}c{uuid.uuid4().hex[:4]}") as e:
        yield e


def stockholm(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM).astimezone(UTC)


async def test_a_confirmation_sms_held_for_the_night_is_not_sent_after_the_resident_cancelled(env):
    evening = stockholm(datetime.now(STOCKHOLM).date() + timedelta(days=1), 22)
    env.clock.at = evening
    cancelled, kept = uid("r"), uid("r")
    phones = {cancelled: "+46701110001", kept: "+46701110002"}
    ed, sid = await env.session_by_sms(phones, evening + timedelta(days=3), confirmed=False)

    for message in await eventually(lambda: env.all_made((cancelled, kept), "registration_confirmed"), what="both confirmations to be made"):
        assert message["status"] == "scheduled"
        assert message["not_before"].astimezone(STOCKHOLM).hour == 8, "held for the morning"

    await env.cancel(cancelled, sid, ed)
    env.clock.at = stockholm(datetime.now(STOCKHOLM).date() + timedelta(days=2), 8, 1)

    await env.only_kept_told(kept, cancelled, "registration_confirmed")
    to = [r["to"] for r in env.sms.requests]
    assert to == [phones[kept]], to


async def test_a_session_change_to_an_erased_registrant_ends_cancelled_at_once(env):
    ed, sid = uid("ed"), uid("s")
    erased, kept = uid("r"), uid("r")
    start = datetime.now(UTC) + timedelta(days=3)
    await env.publish("scheduling.sessions.v1", edition(ed), ed)
    await env.publish("scheduling.sessions.v1", session(sid, ed, start), sid)
    for rid in (erased, kept):
        await env.publish("scheduling.contacts.v1", contact(rid, sid, email=f"{rid}@example.org"), rid)
        await env.publish("scheduling.registrations.v1", registration(rid, sid, ed), rid)
        await eventually(lambda rid=rid: env.final(rid, "registration_confirmed"), what="the confirmation")

    await env.tombstone("scheduling.contacts.v1", erased)

    async def contact_gone() -> bool:
        doc = await env.db["contacts"].find_one({"_id": erased})
        return doc is None or not any((doc.get("state") or {}).get(k) for k in ("email", "phone", "name"))

    await eventually(contact_gone, what="the contact copy to be erased")
    moved = start + timedelta(hours=2)
    await env.publish("scheduling.sessions.v1", session(sid, ed, moved, version=2, cls=ev.SessionRescheduledV1, status="rescheduled", previous_starts_at=start), sid)

    told = await eventually(lambda: env.final(kept, "session_changed"), what="the change to reach the kept registrant")
    assert told["status"] == "sent"
    await eventually(lambda: env.messages_to(erased, "session_changed"), what="the change message to the erased registrant to be made")
    ended = await eventually(lambda: env.final(erased, "session_changed"), timeout=15, what="the erased registrant's change message to end")
    assert (ended["status"], ended.get("cancelled_because")) == ("cancelled", "recipient_erased")
    assert not env.smtp.to(f"{erased}@example.org")[1:], "nothing but the confirmation before the erasure"


async def test_a_session_change_held_for_the_morning_reaches_only_the_registrant_who_did_not_cancel(env):
    day = datetime.now(STOCKHOLM).date() + timedelta(days=1)
    env.clock.at = stockholm(day, 12)  # registered by day: the confirmations go at once
    cancelled, kept = uid("r"), uid("r")
    phones = {cancelled: "+46701110003", kept: "+46701110004"}
    start = stockholm(day + timedelta(days=3), 18)
    ed, sid = await env.session_by_sms(phones, start)

    env.clock.at = stockholm(day, 22)
    await env.reschedule(sid, ed, start, then=stockholm(day, 22, 1))  # past the debounce: one change message per registrant

    for message in await eventually(lambda: env.all_made((cancelled, kept), "session_changed"), what="both change messages to be made"):
        assert message["status"] == "scheduled"
        assert message["not_before"].astimezone(STOCKHOLM).hour == 8, "held for the morning"

    await env.cancel(cancelled, sid, ed)
    before = len(env.sms.requests)
    env.clock.at = stockholm(day + timedelta(days=1), 8, 1)

    await env.only_kept_told(kept, cancelled, "session_changed")
    to = [r["to"] for r in env.sms.requests[before:]]
    assert to == [phones[kept]], to


async def test_a_registrant_who_cancels_while_a_change_is_being_handed_over_does_not_get_it(infra, run_id):
    # one hand-over at a time (an SMS batch of one), and the SMS gateway holds the first: the other
    # registrant's message is made (marked sending) and waits its turn while they cancel
    async with notifications(infra, f"{run_id}c{uuid.uuid4().hex[:4]}", fan_out_concurrency=1, sms_batch=1) as env:
        day = datetime.now(STOCKHOLM).date() + timedelta(days=1)
        env.clock.at = stockholm(day, 12)
        first, second = uid("r"), uid("r")
        phones = {first: "+46701110005", second: "+46701110006"}
        start = stockholm(day + timedelta(days=3), 18)
        ed, sid = await env.session_by_sms(phones, start)
        for rid in phones:
            await eventually(lambda rid=rid: env.messages_to(rid, "reminder"), what="the reminder")

        env.sms.held = asyncio.Event()
        before = len(env.sms.requests)
        await env.reschedule(sid, ed, start, then=stockholm(day, 12, 1))  # past the debounce: the change goes to both at once

        async def handing_over() -> str | None:
            return env.sms.requests[before]["to"] if len(env.sms.requests) > before else None

        reached = await eventually(handing_over, what="the first change SMS to reach the gateway")
        cancelled = second if reached == phones[first] else first
        kept = first if cancelled == second else second
        await env.cancel(cancelled, sid, ed)

        async def reminders_ended() -> list[dict] | None:
            found = await env.messages_to(cancelled, "reminder")
            return found if found and all(r["status"] == "cancelled" for r in found) else None

        for reminder in await eventually(reminders_ended, what="the cancelled registrant's reminders to end"):
            assert reminder["cancelled_because"] == "registration_cancelled"
        env.sms.held.set()

        await env.only_kept_told(kept, cancelled, "session_changed")
        to = [r["to"] for r in env.sms.requests[before:]]
        assert to == [phones[kept]], to
