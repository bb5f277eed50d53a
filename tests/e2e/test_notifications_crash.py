"""Never lost: notifications, as its own process, dies with a message marked ``sending`` — before
handing it over (``FAULT_EXIT_BEFORE_SEND``) or right after the SMTP server accepted it
(``FAULT_EXIT_AFTER_SEND``). In the first case it dies before the triggering event's offset is
committed: restarted, it receives the trigger again (creating nothing new). In the second the
message was created before the hand-over, and the trigger's handler returned then (its offset
may be committed before the crash or not; send_together.py). Either way, after the lease, the
restarted process sends the message left ``sending`` again with the same ``Message-ID``. The SMTP
server counts: once in the first case; in the second the one window left for a repeat, both
copies carrying the same ``Message-ID`` (on which receiving systems deduplicate)."""

import asyncio
import os
import signal
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from services.notifications.devservers import SmtpSink, free_port
from shared.envelope import new_event
from shared.events import scheduling as ev
from shared.kafka.security import client_options
from shared.kafka.topic_admin import delete_prefixed_topics
from tests.integration.test_notifications_delivery import stored_messages
from tests.platform import RawKafka, eventually
from tests.processes import start_service, wait_ready

SCHED = "urn:malmo:oppna:scheduling"


@pytest.mark.parametrize(("fault", "exit_code", "before_restart", "after_restart", "trigger_taken_before"), [
    ("FAULT_EXIT_BEFORE_SEND", 18, 0, 1, False),  # was lost before: an email left "sending" was assumed sent
    ("FAULT_EXIT_AFTER_SEND", 17, 1, 2, None),  # None: committed or not, the message was created first
])
async def test_a_message_left_sending_by_a_killed_process_is_sent_again_with_the_same_id(infra, tmp_path, fault, exit_code, before_restart, after_restart,
                                                                                        trigger_taken_before):
    smtp = SmtpSink().start()
    port = free_port()
    prefix = f"c{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "MONGODB_URL": infra.mongodb,
        "FERRETDB_POSTGRESQL_URL": infra.ferretdb_postgresql or "",
        "MONGODB_DATABASE": f"{prefix}_notifications",
        "TOPIC_PREFIX": f"{prefix}.",
        "HTTP_PORT": str(port),
        "LOG_JSON": "true",
        "SMTP_PORT": str(smtp.port),
        "TIMER_INTERVAL_S": "0.2",
        "QUIET_START_HOUR": "24",
        "QUIET_END_HOUR": "0",
        "SENDING_LEASE_S": "1",
    }
    log = tmp_path / "notifications.log"
    base = f"http://127.0.0.1:{port}"
    mongo = AsyncMongoClient(infra.mongodb, timeoutMS=20000, tz_aware=True)
    db = mongo[env["MONGODB_DATABASE"]]
    proc = start_service("notifications", {**env, fault: "true"}, log)
    try:
        await wait_ready(base)
        async with RawKafka(infra.kafka, f"{prefix}.") as kafka:
            ed, sid, rid = "ed-crash", "s-crash", f"r-{uuid.uuid4().hex[:6]}"
            address = f"{rid}@example.org"

            async def send(topic, data, key):
                event = new_event(data, source=SCHED, subject=key)
                await kafka.send(topic, event.to_bytes(), key=key)
                return event

            start_at = datetime.now(UTC) + timedelta(days=3)
            await send("scheduling.sessions.v1", ev.SessionPublishedV1(
                session_id=sid, version=1, edition_id=ed, initiative_id="i", source="urn:malmo:source:t", title={"sv": "Krocktest"},
                organizer={"kind": "other", "name": "T"}, themes=["democracy"], languages=["sv"], starts_at=start_at, ends_at=start_at + timedelta(hours=1),
                online_url="https://example.org/meet", capacity=10, registration_required=True, status="published"), sid)
            await send("scheduling.contacts.v1", ev.RegistrationContactRecordedV1(registration_id=rid, session_id=sid, name="A", email=address, language="sv"), rid)
            await eventually(lambda: db["contacts"].find_one({"_id": rid}), what="the contact to be kept")
            await eventually(lambda: db["sessions"].find_one({"_id": sid}), what="the session to be kept")
            await send("scheduling.registrations.v1", ev.RegistrationConfirmedV1(
                registration_id=rid, version=1, session_id=sid, edition_id=ed, status="confirmed", party_size=1, language="sv", channel="email",
                registered_at=datetime.now(UTC)), rid)

            code = await asyncio.to_thread(proc.wait, 60)
            assert code == exit_code, f"the fault hook ended the process (exit {code})"
            assert len(smtp.to(address)) == before_restart
            group, topic = f"{prefix}.notifications.registrations", f"{prefix}.scheduling.registrations.v1"
            if trigger_taken_before is False:
                assert not await _all_committed(infra.kafka, group, topic), "the crash came before the trigger's offset was committed"

            proc = start_service("notifications", env, log)
            await wait_ready(base)
            await eventually(lambda: _all_committed(infra.kafka, group, topic), what="the trigger to be redelivered and taken")
            await eventually(lambda: _count(smtp, address, after_restart), what="the message left sending to be sent again")
            await asyncio.sleep(2)
            got = smtp.to(address)
            assert len(got) == after_restart, "sent again once, never more"
            [state] = await stored_messages(db, **{"recipient.key": f"registration:{rid}", "category": "registration_confirmed"})
            assert {m["Message-ID"] for m in got} == {f"<{state['message_id']}@oppna.malmo.se>"}, "the same Message-ID each time"
            assert state["status"] == "sent" and state["resent_after_crash"] is True

            # The restarted service works normally: a second registrant gets exactly one message.
            rid2 = f"r-{uuid.uuid4().hex[:6]}"
            await send("scheduling.contacts.v1", ev.RegistrationContactRecordedV1(registration_id=rid2, session_id=sid, name="B", email=f"{rid2}@example.org", language="sv"), rid2)
            await send("scheduling.registrations.v1", ev.RegistrationConfirmedV1(
                registration_id=rid2, version=1, session_id=sid, edition_id=ed, status="confirmed", party_size=1, language="sv", channel="email",
                registered_at=datetime.now(UTC)), rid2)
            await eventually(lambda: _one(smtp, f"{rid2}@example.org"), what="the second registrant's email")
            await asyncio.sleep(1)
            assert len(smtp.to(f"{rid2}@example.org")) == 1
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            await asyncio.to_thread(proc.wait, 40)
        smtp.stop()
        await mongo.drop_database(env["MONGODB_DATABASE"])
        await mongo.close()
        await delete_prefixed_topics(infra.kafka, f"{prefix}.")
    assert "example.org" not in log.read_text(), "logs carry no address"


async def _all_committed(bootstrap: str, group: str, topic: str) -> bool | None:
    """Whether the group's committed offsets reached the end of every partition of the topic: the
    consumer commits only after a message took effect, so this is "taken" whether or not its
    subscription keeps a processed-events log (registrations keep none: ``dedup="none"``)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_options())
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_options())
    await admin.start()
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or await _partitions(consumer, topic))]
        ends = await consumer.end_offsets(partitions)
        committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
        return all((committed.get(tp) and committed[tp].offset >= end) or end == 0 for tp, end in ends.items()) or None
    finally:
        await consumer.stop()
        await admin.close()


async def _partitions(consumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()


async def _one(smtp, address):
    return smtp.to(address)


async def _count(smtp, address, n):
    return len(smtp.to(address)) >= n
