"""Topics on the broker: created where missing at a service's start, removed after a private run."""

import contextlib
from collections.abc import AsyncIterator

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.settings import ServiceSettings
from shared.topics import ALL_TOPICS, Topic

log = structlog.get_logger(__name__)


@contextlib.asynccontextmanager
async def kafka_admin(bootstrap: str, **options) -> AsyncIterator[AIOKafkaAdminClient]:
    """A started Kafka admin client (``options`` as aiokafka takes them), closed on leaving."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **options)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def ensure_topics(settings: ServiceSettings, topics: tuple[Topic, ...] = ALL_TOPICS) -> None:
    """Create the topics that are missing, with the configured number of partitions."""
    async with kafka_admin(settings.kafka_bootstrap_servers, client_id=f"{settings.service_name}-admin") as admin:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name=settings.topic(t.name),
                num_partitions=settings.topic_partitions,
                replication_factor=settings.topic_replication_factor,
                topic_configs={"cleanup.policy": "compact"} if t.compacted else {},
            )
            for t in topics
            if settings.topic(t.name) not in existing
        ]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass  # another service created them in the meantime
            log.info("topics_created", topics=[t.name for t in wanted])


async def delete_prefixed_topics(bootstrap: str, prefix: str) -> None:
    """Tests and benchmarks: remove a private run's topics (``TOPIC_PREFIX``) from a shared broker."""
    async with kafka_admin(bootstrap) as admin:
        mine = [t for t in await admin.list_topics() if t.startswith(prefix)]
        if mine:
            await admin.delete_topics(mine)
