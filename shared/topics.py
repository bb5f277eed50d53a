"""The topic catalogue: every topic of the platform, its owner and how it is kept.

Names follow ``<owner>.<stream>.v<N>`` (docs/architecture.md, "Topics and contracts"). A settings'
``topic_prefix`` is put in front of each at run time, so test runs on a shared broker do not meet.
"""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.settings import ServiceSettings

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Topic:
    name: str
    owner: str
    description: str
    compacted: bool = False
    personal_data: bool = False


REGISTRY_SUBMISSIONS = Topic("registry.submissions.v1", "registry", "Initiatives submitted and withdrawn by publishers.")
REGISTRY_REJECTED = Topic("registry.submissions.rejected.v1", "registry", "Submissions that failed validation, verbatim, with reasons.")
REGISTRY_INITIATIVES = Topic("registry.initiatives.v1", "registry", "Every change of an initiative, with its full current state (no contact).")
REGISTRY_CONTACTS = Topic("registry.contacts.v1", "registry", "Organisers' business contacts by initiative, for notifications only.", compacted=True, personal_data=True)
REGISTRY_VOCABULARIES = Topic("registry.vocabularies.v1", "registry", "Each vocabulary's full current state (terms, labels, retired), keyed by its name.", compacted=True)
SCHEDULING_SESSIONS = Topic("scheduling.sessions.v1", "scheduling", "Sessions of the forum programme.")
SCHEDULING_REGISTRATIONS = Topic("scheduling.registrations.v1", "scheduling", "Registrations, without personal data.")
SCHEDULING_CONTACTS = Topic("scheduling.contacts.v1", "scheduling", "Registrants' contacts, for notifications only.", compacted=True, personal_data=True)
NOTIFICATIONS_EMAIL = Topic("notifications.email.v1", "notifications", "Rendered emails for gateways.", personal_data=True)
NOTIFICATIONS_SMS = Topic("notifications.sms.v1", "notifications", "Rendered SMS for gateways.", personal_data=True)
NOTIFICATIONS_RECEIPTS = Topic("notifications.receipts.v1", "notifications", "Gateways' delivery receipts.")
NOTIFICATIONS_DELIVERIES = Topic("notifications.deliveries.v1", "notifications", "Delivery counts by channel, language and category.")
REPORTING_STATISTICS = Topic("reporting.statistics.v1", "reporting", "Published statistics snapshots.")
REGISTRY_DEADLETTER = Topic("registry.deadletter.v1", "registry", "Other services' events the registry could not process (editions), with reasons; publishers' refusals go to registry.submissions.rejected.v1.")
SCHEDULING_DEADLETTER = Topic("scheduling.deadletter.v1", "scheduling", "Messages scheduling could not process, with reasons.")
NOTIFICATIONS_DEADLETTER = Topic("notifications.deadletter.v1", "notifications", "Messages notifications could not process, with reasons.")
REPORTING_DEADLETTER = Topic("reporting.deadletter.v1", "reporting", "Messages reporting could not process, with reasons.")

ALL_TOPICS: tuple[Topic, ...] = (
    REGISTRY_SUBMISSIONS,
    REGISTRY_REJECTED,
    REGISTRY_INITIATIVES,
    REGISTRY_CONTACTS,
    REGISTRY_VOCABULARIES,
    SCHEDULING_SESSIONS,
    SCHEDULING_REGISTRATIONS,
    SCHEDULING_CONTACTS,
    NOTIFICATIONS_EMAIL,
    NOTIFICATIONS_SMS,
    NOTIFICATIONS_RECEIPTS,
    NOTIFICATIONS_DELIVERIES,
    REPORTING_STATISTICS,
    REGISTRY_DEADLETTER,
    SCHEDULING_DEADLETTER,
    NOTIFICATIONS_DEADLETTER,
    REPORTING_DEADLETTER,
)


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
