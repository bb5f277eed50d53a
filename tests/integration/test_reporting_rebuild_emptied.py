"""A rebuild ends when a partition's messages are all gone (retention deleted them: its log start
is its end), as when they were never there."""

import asyncio
import uuid

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic, RecordsToDelete

from services.reporting.settings import ReportingSettings
from services.reporting.usecases.rebuild import _replay
from shared.kafka.security import client_options
from tests.platform import settings_for


async def test_a_replay_ends_at_a_partition_whose_messages_were_all_deleted(infra):
    settings = settings_for(ReportingSettings, infra, f"e{uuid.uuid4().hex[:8]}")
    topic = settings.topic("scheduling.sessions.v1")
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, **client_options(settings))
    await admin.start()
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, **client_options(settings))
    await producer.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
        for n in range(3):
            await producer.send_and_wait(topic, b"{}", key=f"k{n}".encode(), partition=0)
        await admin.delete_records({TopicPartition(topic, 0): RecordsToDelete(3)})  # what retention does to old segments
        events, skipped, arrived = await asyncio.wait_for(_replay(settings, [topic], {}), timeout=30)
        assert (events, skipped, arrived) == (0, 0, 0)
    finally:
        await producer.stop()
        await admin.delete_topics([topic])
        await admin.close()
