"""One leader among a service's replicas, for the work that must run once: timers and sweeps.

Contract: a task given to ``while_leader`` runs in at most one replica of a service at a time —
the member of the consumer group ``<prefix><service>.leadership`` that holds the only partition of
``<prefix><service>.leadership.v1`` (nothing is ever written to it). When that replica leaves the
group (a clean stop) the partition moves at once; when it dies, after the group's session timeout
(``KAFKA_SESSION_TIMEOUT_MS``, 10 s by default). The old leader's tasks are cancelled in the
rebalance before the partition is handed on, so two leaders overlap only when a replica lost
the group without knowing it (its event loop stalled past the session timeout). The work it
guards is idempotent anyway (each step decides on stored state, through the storage port).

The broker's group coordinator decides, not the database: FerretDB has no atomic
compare-and-set to elect one on (docs/architecture.md, "Replicas").
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener
from aiokafka.admin import NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.kafka.security import client_options
from shared.kafka.topic_admin import kafka_admin
from shared.settings import ServiceSettings

log = structlog.get_logger(__name__)
Work = Callable[[], Awaitable[None]]


class Leadership(ConsumerRebalanceListener):
    def __init__(self, settings: ServiceSettings):
        self._settings = settings
        self.topic = settings.topic(f"{settings.service_name}.leadership.v1")
        self._work: dict[str, Work] = {}
        self._running: dict[str, asyncio.Task] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self._poll: asyncio.Task | None = None

    @property
    def leading(self) -> bool:
        return bool(self._running)

    def while_leader(self, name: str, work: Work) -> None:
        """Run ``work`` (a loop that runs until cancelled) whenever this replica leads."""
        self._work[name] = work

    async def start(self) -> None:
        s = self._settings
        async with kafka_admin(s.kafka_bootstrap_servers, s, client_id=f"{s.service_name}-admin") as admin:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(self.topic, num_partitions=1, replication_factor=s.topic_replication_factor)])
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=s.kafka_bootstrap_servers, group_id=s.group("leadership"),
            client_id=f"{s.service_name}-{s.replica_id}-leadership", enable_auto_commit=False,
            session_timeout_ms=s.kafka_session_timeout_ms, heartbeat_interval_ms=max(1000, s.kafka_session_timeout_ms // 5),
            **client_options(s))
        await self._consumer.start()
        for _ in range(300):  # a topic just made: the group assigns nothing until its metadata is known
            if self.topic in await self._consumer.topics():
                break
            await asyncio.sleep(0.1)
        self._consumer.subscribe([self.topic], listener=self)
        self._poll = asyncio.create_task(self._keep_polling(), name=f"{s.service_name}-leadership")

    async def stop(self) -> None:
        """Stop leading and leave the group, so another replica leads at once."""
        if self._poll is not None:
            self._poll.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poll
        await self._stop_work()
        if self._consumer is not None:
            with contextlib.suppress(Exception):
                await self._consumer.stop()

    async def _keep_polling(self) -> None:
        """The group's rebalances are run from ``getmany``; nothing is ever read."""
        while True:
            try:
                await self._consumer.getmany(timeout_ms=1000)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # the broker away: the membership comes back with it
                log.warning("leadership_poll_failed", error=f"{type(e).__name__}: {e}"[:300])
                await asyncio.sleep(1)

    async def on_partitions_assigned(self, assigned) -> None:
        if assigned and not self._running:
            log.info("leading", replica=self._settings.replica_id, work=sorted(self._work))
            self._running = {name: asyncio.create_task(work(), name=f"leader-{name}") for name, work in self._work.items()}

    async def on_partitions_revoked(self, revoked) -> None:
        if revoked:
            await self._stop_work()

    async def _stop_work(self) -> None:
        running, self._running = self._running, {}
        for task in running.values():
            task.cancel()
        for task in running.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if running:
            log.info("no_longer_leading", replica=self._settings.replica_id)
