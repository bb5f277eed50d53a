"""Events are kept as long as a rebuild needs them: on a broker whose DEFAULT retention is two
seconds, after that time has passed (a control topic left at the default has lost its messages),
a rebuild of reporting and a fresh scheduling's copies give the same figures and documents as
before. With topics left at the broker's default (the code before retention was declared) the
topics below would be emptied like the control topic, and the second rebuild would lack them."""

import asyncio
import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import NewTopic
from pymongo import AsyncMongoClient

from services.registry.main import create_app as registry_app
from services.registry.settings import RegistrySettings
from services.reporting.consumers import subscriptions as reporting_subscriptions
from services.reporting.domain.comparison import compare
from services.reporting.domain.model import ReadModel
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.reporting.usecases.rebuild import drop, rebuild
from services.reporting.usecases.replay import InMemoryProjection
from services.scheduling.main import create_app as scheduling_app
from services.scheduling.settings import SchedulingSettings
from shared.auth import Role
from shared.kafka.topic_admin import delete_prefixed_topics, kafka_admin
from shared.topics import ALL_TOPICS
from tests.endpoints import Endpoints
from tests.platform import Platform, as_role, eventually, running, settings_for
from tests.programme_run import published_programme, register_all, stamped_initiatives
from tests.short_retention_broker import short_retention_broker

EDITION = "om-retention"
COPIES = ("initiatives", "sources", "reports", "vocabularies")  # scheduling's copies of the registry's aggregates


@pytest.fixture(scope="module")
def short_broker(infra) -> Endpoints:
    with short_retention_broker(retention_ms=2000) as bootstrap:
        yield Endpoints(bootstrap, infra.mongodb, infra.ferretdb_postgresql)


async def test_a_rebuild_after_the_default_retention_gives_the_same_figures_and_copies(short_broker, monkeypatch):
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")  # every client here: this broker has no SASL listener
    run_id = f"r{uuid.uuid4().hex[:8]}"
    prefix = f"{run_id}."
    control = prefix + "retention.control.v1"
    async with kafka_admin(short_broker.kafka) as admin:
        await admin.create_topics([NewTopic(control, 1, 1)])  # no configs of its own: the broker's default
    await _produce(short_broker.kafka, control, b"as old as the platform's first events")
    async with Platform.start(short_broker, run_id, registry=(registry_app, RegistrySettings),
                              scheduling=(scheduling_app, SchedulingSettings), reporting=(reporting_app, ReportingSettings)) as p:
        initiatives = await stamped_initiatives(p, f"{run_id}-pub", 3)
        sessions = await published_programme(p, EDITION, initiatives, seats=3)
        answers = await register_all(p, sessions, range(12), run_id)
        assert sorted(a["status"] for a in answers).count("confirmed") == 9
        before = await eventually(lambda: _figures_counting(p, sessions=3, registrations=12), timeout=90, what="reporting to count the programme")
        settings = p.settings["reporting"]
        first = await rebuild(settings, keep=True, database=f"{run_id}_rebuilt_before")
        copies_before = await _copies(short_broker, p.settings["scheduling"].mongodb_database)

        fresh = settings_for(SchedulingSettings, short_broker, run_id, service_name="schedulingcopy", mongodb_database=f"{run_id}_scheduling_copy")
        try:
            await eventually(lambda: _start_offset(short_broker.kafka, control), timeout=60, what="the broker's default retention to delete the control topic's message")
            # bounded: with a topic emptied by retention this must fail, not hang
            second = await asyncio.wait_for(rebuild(settings, keep=True, database=f"{run_id}_rebuilt_after"), 120)
            assert compare(first.model, second.model, settings.suppression_threshold) == []
            # Nothing lost to retention: as many events or more (at-least-once: a relay may publish a
            # copy again meanwhile, which changes nothing), and the same model.
            assert second.events >= first.events and second.model == first.model
            assert await _documents(short_broker, second.database) == await _documents(short_broker, first.database)
            r = await p.http["reporting"].post("/v1/rebuild", headers=as_role(Role.analyst), timeout=120)
            assert r.json()["equal"] is True and r.json()["events"] >= first.events
            assert await _figures_counting(p, sessions=3, registrations=12) == before

            async with running(scheduling_app(fresh)):
                await eventually(lambda: _same_copies(short_broker, fresh.mongodb_database, copies_before), timeout=90,
                                 what="a fresh scheduling to copy the registry's aggregates again")
            # Nothing replayed lost its oldest events (compacted topics keep each key's newest, not every offset).
            replayed = {t for s in reporting_subscriptions(InMemoryProjection(ReadModel())) for t in s.topics}
            kept_whole = sorted(prefix + t.name for t in ALL_TOPICS if t.kept_forever and not t.compacted)
            assert {t for t in kept_whole if await _start_offset(short_broker.kafka, t)} == set(), "a topic lost its oldest events"
            assert all(t.kept_forever for t in replayed)
        finally:
            for database in (first.database, f"{run_id}_rebuilt_after", fresh.mongodb_database):
                await drop(settings, database)
    await delete_prefixed_topics(short_broker.kafka, prefix)


async def _produce(bootstrap: str, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"control")
    finally:
        await producer.stop()


async def _start_offset(bootstrap: str, topic: str) -> int:
    """The smallest log start offset of the topic's partitions: > 0 once retention deleted its first messages."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, n) for n in consumer.partitions_for_topic(topic) or ()]
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        return max((starts[tp] for tp in partitions if ends[tp] > 0), default=0)
    finally:
        await consumer.stop()


async def _figures_counting(p: Platform, sessions: int, registrations: int) -> dict | None:
    r = await p.http["reporting"].get(f"/v1/analyst/editions/{EDITION}/figures/participation", params={"dimension": "theme"}, headers=as_role(Role.analyst))
    if r.status_code != 200:
        return None
    total = r.json()["tables"]["theme"]["total"]["values"]
    return r.json() if (total["sessions"], total["registrations"] + total["waitlisted"]) == (sessions, registrations) else None


async def _documents(endpoints: Endpoints, database: str) -> dict[str, list[dict]]:
    client = AsyncMongoClient(endpoints.mongodb, timeoutMS=20000)
    try:
        db = client[database]
        return {c: sorted([json.dumps(d, sort_keys=True, default=str) for d in await db[c].find({}).to_list(None)])
                for c in sorted(await db.list_collection_names())}
    finally:
        await client.close()


async def _copies(endpoints: Endpoints, database: str) -> dict[str, dict]:
    """Scheduling's copies: each document's state by id, per collection."""
    client = AsyncMongoClient(endpoints.mongodb, timeoutMS=20000)
    try:
        db = client[database]
        return {c: {d["_id"]: d.get("state") for d in await db[c].find({}).to_list(None)} for c in COPIES}
    finally:
        await client.close()


async def _same_copies(endpoints: Endpoints, database: str, want: dict[str, dict]) -> bool:
    got = await _copies(endpoints, database)
    assert all(want[c] for c in ("initiatives", "sources", "vocabularies")), "nothing was copied to begin with"
    return got == want
