"""What every service starts and stops the same way: clients, topics, indexes, consumers, relays.

A service's composition root builds a ``Runtime`` from its settings, registers its parts,
and hands ``runtime.lifespan`` to FastAPI. Nothing connects at import time.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import structlog
from fastapi import FastAPI
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.db.aggregates import AggregateStore, Lift
from shared.db.client import database, make_client
from shared.db.indexes import IndexSpec, ensure_indexes
from shared.db.keyed_lock import KeyedLock, KeyedLocks
from shared.db.leases import INDEXES as LEASE_INDEXES
from shared.db.leases import WriteLeases
from shared.db.outbox import OutboxRelay
from shared.db.processed import INDEXES as PROCESSED_INDEXES
from shared.db.processed import ProcessedEvents
from shared.kafka.consumer import ConsumerRunner
from shared.kafka.subscriptions import Subscription
from shared.kafka.producer import EventProducer
from shared.logs import configure_logging
from shared.settings import ServiceSettings
from shared.kafka.topic_admin import ensure_topics
from shared.leadership import Leadership

log = structlog.get_logger(__name__)


class Runtime:
    def __init__(self, settings: ServiceSettings, indexes: list[IndexSpec]):
        self.settings = settings
        self.indexes = indexes + PROCESSED_INDEXES + LEASE_INDEXES
        self._local_locks: dict[str, KeyedLock] = {}  # by scope, where leases are off
        # Built here, connected later: PyMongo connects on first use and the producer in ``start``,
        # so a composition root can build every store and use case before the app serves.
        self.client: AsyncMongoClient = make_client(settings)
        self.db: AsyncDatabase = database(self.client, settings)
        self.producer: EventProducer = EventProducer(settings)
        self.leases = WriteLeases(self.db, settings.service_name) if settings.write_leases else None
        self.leadership = Leadership(settings)  # timers and sweeps: ``while_leader``
        self._beat: asyncio.Task | None = None
        self.runners: list[ConsumerRunner] = []
        self.relays: list[OutboxRelay] = []
        self._subscriptions: list[tuple[Subscription, str]] = []
        self._stores: list[str] = []
        self.stores: dict[str, AggregateStore] = {}
        self._on_start: list[Callable[[], Awaitable[None]]] = []
        self._on_stop: list[Callable[[], Awaitable[None]]] = []

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        """What this service reads, in the order it was registered (read only: a deployment's ACLs
        are derived from it)."""
        return tuple(s for s, _ in self._subscriptions)

    def subscribe(self, subscription: Subscription, dedup_scope: str | None = None) -> None:
        self._subscriptions.append((subscription, dedup_scope or subscription.name))

    def aggregate(self, collection: str, *, lift: Lift | None = None, own: bool = False) -> AggregateStore:
        """The one store of a collection's aggregates, sharing the process's keyed lock; ``lift`` and
        ``own`` as ``AggregateStore`` takes them, given where the store is first asked for."""
        if collection not in self.stores:
            self.stores[collection] = AggregateStore(self.db[collection], self.lock(collection), lift=lift, own=own)
        elif lift is not None or own:
            raise ValueError(f"the store of {collection} exists already: give lift/own where it is first made")
        return self.stores[collection]

    def lock(self, scope: str) -> KeyedLocks:
        """The keyed lock of ``scope`` (a collection, or a use case's own: an edition's schedule):
        one holder per key across every replica of the service (``shared/db/leases.py``), or in
        this process only where leases are off."""
        if self.leases is not None:
            return self.leases.scope(scope)
        # One lock per scope, as leases are keyed by scope: a use case holding its own key (a
        # session's seat desk) may then change the aggregate of the same id.
        return self._local_locks.setdefault(scope, KeyedLock())

    def relay_outbox_of(self, collection: str) -> None:
        self._stores.append(collection)

    def processed(self, scope: str) -> ProcessedEvents:
        return ProcessedEvents(self.db["processed_events"], scope)

    def on_start(self, fn: Callable[[], Awaitable[None]]) -> None:
        self._on_start.append(fn)

    def on_stop(self, fn: Callable[[], Awaitable[None]]) -> None:
        self._on_stop.append(fn)

    async def start(self) -> None:
        s = self.settings
        configure_logging(s.service_name, s.log_level, s.log_json)
        await ensure_indexes(self.db, self.indexes, s.ferretdb_postgresql_url)
        await ensure_topics(s)
        await self.producer.start()
        if self.leases is not None:
            self._beat = asyncio.create_task(self.leases.run(), name="write-lease-heartbeat")
        for fn in self._on_start:
            await fn()
        for collection in self._stores:
            relay = OutboxRelay(self.aggregate(collection), self.producer)
            await relay.start()
            self.leadership.while_leader(f"outbox-sweep-{collection}", relay.sweep)
            self.relays.append(relay)
        for subscription, scope in self._subscriptions:
            runner = ConsumerRunner(s, subscription, self.producer, self.processed(scope))
            await runner.start()
            self.runners.append(runner)
        await self.leadership.start()
        log.info("service_started", port=s.http_port)

    async def stop(self) -> None:
        # Runners side by side: each drains its batch in hand (up to 30 s under load); one after
        # another they added up past a container's grace period. Every stage is bounded: a
        # SIGTERM'd notifications process on a loaded machine once left its groups and then waited
        # on something forever. Giving up a stage is safe: what was not committed is redelivered.
        await _bounded("leadership", self.leadership.stop(), 15)  # first: another replica takes the timers at once
        await _bounded("consumers", asyncio.gather(*(runner.stop() for runner in self.runners)), 40)
        await _bounded("outbox_relays", asyncio.gather(*(relay.stop() for relay in self.relays)), 20)
        for fn in self._on_stop:
            await _bounded(getattr(fn, "__qualname__", "on_stop"), fn(), 20)
        await _bounded("producer", self.producer.stop(), 20)
        if self._beat is not None:
            self._beat.cancel()
            await _bounded("write_leases", self.leases.retire(), 5)
        await _bounded("database_client", self.client.close(), 10)
        log.info("service_stopped")

    @contextlib.asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()


async def _bounded(stage: str, work: Awaitable[Any], timeout_s: float) -> str:
    """Wait for one stage of the shutdown at most ``timeout_s``, then go on without it (logged).
    Returns how it ended: "done", "stuck" or "failed"."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=timeout_s)  # unlike wait_for, never waits on a stuck cancel
    if not done:
        log.error("stop_stage_stuck", stage=stage, after_s=timeout_s)
        task.cancel()
        return "stuck"
    if not task.cancelled() and task.exception() is not None:
        log.warning("stop_stage_failed", stage=stage, error=repr(task.exception())[:300])
        return "failed"
    return "done"
