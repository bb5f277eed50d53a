"""The consumer runner on the real broker and database: an engine that is away is waited for
(the message is handled once it is back, never dead-lettered for it); a message's own failure
is retried a bounded number of times and then dead-lettered with the reason."""

import asyncio
import contextlib
import json
import time
import uuid

from aiokafka import AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient
from pymongo.errors import AutoReconnect

from shared.db.processed import ProcessedEvents
from shared.events.initiatives import InitiativeSubmittedV1
from shared.kafka.consumer import ConsumerRunner
from shared.kafka.subscriptions import Handler, Subscription
from shared.kafka.producer import EventProducer
from shared.kafka.security import client_options
from shared.settings import ServiceSettings
from shared.kafka.topic_admin import ensure_topics
from shared.topics import REGISTRY_REJECTED, REGISTRY_SUBMISSIONS
from tests.platform import Platform, RawKafka, eventually, settings_for, submission


class RunnerSettings(ServiceSettings):
    service_name: str = "runnertest"
    mongodb_database: str = "runnertest"


async def _tear_down(infra, run_id: str, settings: RunnerSettings, producer: EventProducer, client: AsyncMongoClient, *runners: ConsumerRunner) -> None:
    """Stop the runners, then the clients; drop the run's topics and database."""
    for runner in runners:
        await runner.stop()
    await producer.stop()
    await client.close()
    cleanup = Platform(infra, run_id)
    cleanup.settings["runner"] = settings
    await cleanup.cleanup()


async def test_an_engine_outage_is_waited_out_and_a_failing_handler_is_dead_lettered(infra):
    run_id = f"c{uuid.uuid4().hex[:8]}"
    settings = settings_for(RunnerSettings, infra, run_id, handler_attempts=3, handler_backoff_s=0.01)
    await ensure_topics(settings, (REGISTRY_SUBMISSIONS, REGISTRY_REJECTED))
    outage_left = {"calls": 8}  # more failures than handler_attempts: only waiting gets it through
    handled: list[str] = []

    async def handle(event, data):
        if data.external_id == "OUTAGE" and outage_left["calls"] > 0:
            outage_left["calls"] -= 1
            raise AutoReconnect("FerretDB is restarting")
        if data.external_id == "BROKEN":
            raise ValueError("a bug in the handler")
        handled.append(data.external_id)

    client = AsyncMongoClient(infra.mongodb, timeoutMS=10000)
    producer = EventProducer(settings)
    await producer.start()
    sub = Subscription("submissions", (REGISTRY_SUBMISSIONS,), {InitiativeSubmittedV1.event_type: Handler(InitiativeSubmittedV1, handle)}, REGISTRY_REJECTED)
    runner = ConsumerRunner(settings, sub, producer, ProcessedEvents(client[settings.mongodb_database]["processed_events"], "t"))
    await runner.start()
    try:
        async with RawKafka(infra.kafka, settings.topic_prefix) as kafka:
            source = "urn:malmo:source:runner"
            for external_id in ("OUTAGE", "BROKEN", "AFTER"):
                await kafka.send("registry.submissions.v1", json.dumps(submission(source, external_id)).encode(), key=source)
            await eventually(lambda: asyncio.sleep(0, result=handled == ["OUTAGE", "AFTER"]), timeout=60, what="both good messages handled in order")
            dead = await kafka.read("registry.submissions.rejected.v1", until=lambda ms: len(ms) >= 1)
        assert [m["data"]["original"]["value_text"] and json.loads(m["data"]["original"]["value_text"])["data"]["external_id"] for m in dead] == ["BROKEN"]
        assert dead[0]["type"] == "se.malmo.oppna.message.failed.v1"
        assert dead[0]["data"]["reasons"][0]["code"] == "handler_failed" and "a bug in the handler" in dead[0]["data"]["reasons"][0]["message"]
        assert outage_left["calls"] == 0 and runner.healthy()
    finally:
        await _tear_down(infra, run_id, settings, producer, client, runner)


async def test_keys_of_one_partition_run_side_by_side_each_in_order(infra):
    """One partition, two keys interleaved: A's first message waits until B's last one is handled,
    which only per-key concurrency lets happen; each key keeps its order; B's poison message is
    dead-lettered without holding A or the rest of B; the partition is committed past all six."""
    run_id = f"k{uuid.uuid4().hex[:8]}"
    settings = settings_for(RunnerSettings, infra, run_id, handler_attempts=2, handler_backoff_s=0.01)
    await ensure_topics(settings, (REGISTRY_SUBMISSIONS, REGISTRY_REJECTED))
    b_last_done = asyncio.Event()
    handled: list[str] = []

    async def handle(event, data):
        if data.external_id == "A1":
            # Held until B3 is handled; a strictly serial partition never gets there and gives up.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(b_last_done.wait(), timeout=10)
        if data.external_id == "B2":
            raise ValueError("poison")
        handled.append(data.external_id)
        if data.external_id == "B3":
            b_last_done.set()

    client = AsyncMongoClient(infra.mongodb, timeoutMS=10000)
    producer = EventProducer(settings)
    await producer.start()
    raw = AIOKafkaProducer(bootstrap_servers=infra.kafka, **client_options())
    await raw.start()
    topic = settings.topic(REGISTRY_SUBMISSIONS.name)
    source = "urn:malmo:source:keys"
    try:  # all six in one partition before the runner starts, so they come as one batch
        for external_id in ("A1", "B1", "A2", "B2", "A3", "B3"):
            value = json.dumps(submission(source, external_id)).encode()
            await raw.send_and_wait(topic, value, key=external_id[0].encode(), partition=0)
    finally:
        await raw.stop()
    sub = Subscription("submissions", (REGISTRY_SUBMISSIONS,), {InitiativeSubmittedV1.event_type: Handler(InitiativeSubmittedV1, handle)}, REGISTRY_REJECTED)
    runner = ConsumerRunner(settings, sub, producer, ProcessedEvents(client[settings.mongodb_database]["processed_events"], "t"))
    await runner.start()
    try:
        await eventually(lambda: asyncio.sleep(0, result=len(handled) == 5), timeout=60, what="the five good messages handled")
        assert [x for x in handled if x[0] == "A"] == ["A1", "A2", "A3"]
        assert [x for x in handled if x[0] == "B"] == ["B1", "B3"]
        assert handled.index("B3") < handled.index("A1")
        async with RawKafka(infra.kafka, settings.topic_prefix) as kafka:
            dead = await kafka.read("registry.submissions.rejected.v1", until=lambda ms: len(ms) >= 1)
        assert [json.loads(m["data"]["original"]["value_text"])["data"]["external_id"] for m in dead] == ["B2"]
        tp = TopicPartition(topic, 0)
        await eventually(lambda: runner._consumer.committed(tp), timeout=30, what="an offset committed")
        assert await runner._consumer.committed(tp) == 6 and runner.healthy()
    finally:
        await _tear_down(infra, run_id, settings, producer, client, runner)


async def test_a_stalled_replica_evicted_from_its_group_rejoins_and_consumes_on(infra):
    """Two replicas share a group; the one holding the partition stalls its event loop past the
    session timeout in the middle of a batch (a long GC pause, a CPU-bound stretch). No heartbeat
    goes out, the broker gives the partition to the other replica and the batch's commit is
    refused. The stalled replica must not die of it (its /readyz would stay red and it would never
    consume again): it rejoins, and the replica that took over goes on from the last commit."""
    run_id = f"s{uuid.uuid4().hex[:8]}"
    settings = settings_for(RunnerSettings, infra, run_id, kafka_session_timeout_ms=6000, topic_partitions=1)
    await ensure_topics(settings, (REGISTRY_SUBMISSIONS, REGISTRY_REJECTED))
    handled: list[str] = []
    stalled = False

    async def handle(event, data):
        nonlocal stalled
        if data.external_id == "STALL" and not stalled:
            stalled = True
            time.sleep(10)  # blocks the loop, heartbeats included, past the 6 s session timeout
        handled.append(data.external_id)

    client = AsyncMongoClient(infra.mongodb, timeoutMS=10000)
    producer = EventProducer(settings)
    await producer.start()
    sub = Subscription("submissions", (REGISTRY_SUBMISSIONS,), {InitiativeSubmittedV1.event_type: Handler(InitiativeSubmittedV1, handle)}, REGISTRY_REJECTED)
    processed = ProcessedEvents(client[settings.mongodb_database]["processed_events"], "t")
    replicas = [ConsumerRunner(settings, sub, producer, processed) for _ in range(2)]
    topic = settings.topic(REGISTRY_SUBMISSIONS.name)
    tp = TopicPartition(topic, 0)
    try:
        for replica in replicas:
            await replica.start()

        async def both_joined_one_holds_it() -> bool:
            held = [r._consumer.assignment() for r in replicas]
            return all(r._consumer._coordinator.generation > 0 for r in replicas) and sorted(map(len, held)) == [0, 1]

        await eventually(both_joined_one_holds_it, timeout=60, what="both replicas in the group, one holding the partition")
        async with RawKafka(infra.kafka, settings.topic_prefix) as kafka:
            source = "urn:malmo:source:stall"
            await kafka.send("registry.submissions.v1", json.dumps(submission(source, "STALL")).encode(), key=source)
            await eventually(lambda: asyncio.sleep(0, result="STALL" in handled), timeout=60, what="the stalling message handled")
            await asyncio.sleep(3)  # the refused commit, the rejoin, the other replica's redelivery
            await kafka.send("registry.submissions.v1", json.dumps(submission(source, "AFTER")).encode(), key=source)
            await eventually(lambda: asyncio.sleep(0, result="AFTER" in handled), timeout=60, what="the next message handled")

        async def past_both() -> bool:
            holder = next((r for r in replicas if tp in r._consumer.assignment()), None)
            return holder is not None and await holder._consumer.committed(tp) == 2

        await eventually(past_both, timeout=30, what="the partition committed past both messages")
        # The replica that took over may have handled STALL again while the stalled one was still
        # in it (handlers are idempotent for exactly this); what comes after is handled once.
        assert set(handled) == {"STALL", "AFTER"} and handled.count("AFTER") == 1
        assert all(r.healthy() and r.failed is None for r in replicas)
    finally:
        await _tear_down(infra, run_id, settings, producer, client, *replicas)
