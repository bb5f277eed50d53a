"""Topic configs on the real broker: created with their declared retention, and an existing topic
(made before its retention was declared, or changed by hand) put right at its owner's start."""

import uuid

from aiokafka.admin import NewTopic

from shared.kafka.topic_admin import delete_prefixed_topics, ensure_topics, kafka_admin, topic_overrides
from shared.settings import ServiceSettings
from shared.topics import REGISTRY_INITIATIVES, REGISTRY_SOURCES, SCHEDULING_REGISTRATIONS, SCHEDULING_SESSIONS


class Owner(ServiceSettings):
    service_name: str = "scheduling"
    mongodb_database: str = "unused"


async def test_topics_get_their_declared_configs_and_keep_other_overrides(infra):
    prefix = f"k{uuid.uuid4().hex[:8]}."
    settings = Owner(kafka_bootstrap_servers=infra.kafka, topic_prefix=prefix, topic_partitions=1)
    sessions, registrations = prefix + SCHEDULING_SESSIONS.name, prefix + SCHEDULING_REGISTRATIONS.name
    try:
        async with kafka_admin(infra.kafka) as admin:
            # as the code before declared retentions made them: the broker's default, plus an operator's override
            await admin.create_topics([NewTopic(sessions, 1, 1, topic_configs={"min.insync.replicas": "1"}),
                                       NewTopic(registrations, 1, 1, topic_configs={"retention.ms": "1000"})])
        await ensure_topics(settings, (SCHEDULING_SESSIONS, SCHEDULING_REGISTRATIONS, REGISTRY_INITIATIVES, REGISTRY_SOURCES))
        async with kafka_admin(infra.kafka) as admin:
            got = await topic_overrides(admin, [sessions, registrations, prefix + REGISTRY_INITIATIVES.name, prefix + REGISTRY_SOURCES.name])
        assert got[sessions] == {"min.insync.replicas": "1", "cleanup.policy": "delete", "retention.ms": "-1"}
        assert got[registrations] == {"cleanup.policy": "delete", "retention.ms": "-1"}
        # created where missing, with the catalogue's configs (another owner's topics too)
        assert got[prefix + REGISTRY_INITIATIVES.name] == {"cleanup.policy": "delete", "retention.ms": "-1"}
        assert got[prefix + REGISTRY_SOURCES.name] == {"cleanup.policy": "compact"}
    finally:
        await delete_prefixed_topics(infra.kafka, prefix)


async def test_only_the_owner_alters_an_existing_topic(infra):
    prefix = f"k{uuid.uuid4().hex[:8]}."
    settings = Owner(kafka_bootstrap_servers=infra.kafka, topic_prefix=prefix, topic_partitions=1)
    initiatives = prefix + REGISTRY_INITIATIVES.name
    try:
        async with kafka_admin(infra.kafka) as admin:
            await admin.create_topics([NewTopic(initiatives, 1, 1, topic_configs={"retention.ms": "5000"})])
        await ensure_topics(settings, (REGISTRY_INITIATIVES,))  # scheduling does not own it
        async with kafka_admin(infra.kafka) as admin:
            assert (await topic_overrides(admin, [initiatives]))[initiatives] == {"retention.ms": "5000"}
        await ensure_topics(Owner(kafka_bootstrap_servers=infra.kafka, topic_prefix=prefix, service_name="registry"), (REGISTRY_INITIATIVES,))
        async with kafka_admin(infra.kafka) as admin:
            assert (await topic_overrides(admin, [initiatives]))[initiatives] == {"cleanup.policy": "delete", "retention.ms": "-1"}
    finally:
        await delete_prefixed_topics(infra.kafka, prefix)
