"""The consumer runner on the real broker and database: an engine that is away is waited for
(the message is handled once it is back, never dead-lettered for it); a message's own failure
is retried a bounded number of times and then dead-lettered with the reason."""

import asyncio
import json
import uuid

from pymongo import AsyncMongoClient
from pymongo.errors import AutoReconnect

from shared.db.processed import ProcessedEvents
from shared.events.initiatives import InitiativeSubmittedV1
from shared.kafka.consumer import ConsumerRunner, Handler, Subscription
from shared.kafka.producer import EventProducer
from shared.settings import ServiceSettings
from shared.topics import REGISTRY_REJECTED, REGISTRY_SUBMISSIONS, ensure_topics
from tests.platform import Platform, RawKafka, eventually, settings_for, submission


class RunnerSettings(ServiceSettings):
    service_name: str = "runnertest"
    mongodb_database: str = "runnertest"


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
        await runner.stop()
        await producer.stop()
        await client.close()
        cleanup = Platform(infra, run_id)
        cleanup.settings["runner"] = settings
        await cleanup.cleanup()
