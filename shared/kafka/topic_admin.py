"""Topics on the broker: created where missing at a service's start with their declared configs,
those configs restored by the owner at its start, removed after a private run."""

import contextlib
from collections.abc import AsyncIterator

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from shared.kafka.security import client_options
from shared.settings import KafkaSecuritySettings, ServiceSettings
from shared.topics import ALL_TOPICS, Topic

log = structlog.get_logger(__name__)

DYNAMIC_TOPIC_CONFIG = 1  # DescribeConfigs v1+ config_source: set on the topic itself


@contextlib.asynccontextmanager
async def kafka_admin(bootstrap: str, security: KafkaSecuritySettings | None = None, **options) -> AsyncIterator[AIOKafkaAdminClient]:
    """A started Kafka admin client, closed on leaving: signed in as ``security`` says (default:
    the environment's, ``shared/kafka/security.py``), ``options`` as aiokafka takes them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **{**client_options(security), **options})
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def ensure_topics(settings: ServiceSettings, topics: tuple[Topic, ...] = ALL_TOPICS) -> None:
    """Create the topics that are missing, with the configured number of partitions and each one's
    declared ``configs``; then bring the existing topics this service owns to their declared
    configs (a topic made before a retention was declared, or changed by hand, is put right at the
    owner's next start). Only the owner alters: its principal is the one allowed to."""
    async with kafka_admin(settings.kafka_bootstrap_servers, settings, client_id=f"{settings.service_name}-admin") as admin:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name=settings.topic(t.name),
                num_partitions=settings.topic_partitions,
                replication_factor=settings.topic_replication_factor,
                topic_configs=dict(t.configs),
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
        owned = [t for t in topics if settings.topic(t.name) in existing and t.owner == settings.service_name]
        await align_configs(admin, {settings.topic(t.name): t.configs for t in owned})


async def topic_overrides(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, dict[str, str]]:
    """Each topic's own configs (set on the topic, not inherited from the broker), by name."""
    if not names:
        return {}
    answers = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, n) for n in names])
    overrides: dict[str, dict[str, str]] = {}
    for answer in answers:
        for error, message, _type, name, entries in (r[:5] for r in answer.resources):
            if error:
                raise KafkaError(f"describe configs of {name}: error {error} {message}")
            overrides[name] = {e[0]: e[1] for e in entries if e[3] == DYNAMIC_TOPIC_CONFIG}
    return overrides


async def align_configs(admin: AIOKafkaAdminClient, declared: dict[str, dict[str, str]]) -> list[str]:
    """Give each named topic its declared configs where they differ; returns the topics altered.

    AlterConfigs (aiokafka has no incremental form) replaces a topic's whole set of overrides, so
    the other overrides it has (an operator's ``min.insync.replicas``, say) are sent along unchanged."""
    current = await topic_overrides(admin, sorted(declared))
    changes = {
        name: {**current.get(name, {}), **configs}
        for name, configs in declared.items()
        if any(current.get(name, {}).get(k) != v for k, v in configs.items())
    }
    if not changes:
        return []
    answers = await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, n, configs=c) for n, c in changes.items()])
    for answer in answers:
        for error, message, _type, name in (r[:4] for r in answer.resources):
            if error:
                raise KafkaError(f"alter configs of {name}: error {error} {message}")
    log.info("topic_configs_aligned", topics=sorted(changes))
    return sorted(changes)


async def delete_prefixed_topics(bootstrap: str, prefix: str) -> None:
    """Tests and benchmarks: remove a private run's topics (``TOPIC_PREFIX``) from a shared broker."""
    async with kafka_admin(bootstrap) as admin:
        mine = [t for t in await admin.list_topics() if t.startswith(prefix)]
        if mine:
            await admin.delete_topics(mine)
