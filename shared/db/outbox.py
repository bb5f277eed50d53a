"""The outbox relay: publishes the events an aggregate wrote into its own document, then marks them.

A crash between the write and the publication loses nothing (the events are in the document);
a crash between publication and marking publishes them again with the same CloudEvents id,
which consumers deduplicate on (source, id).
"""

import asyncio
import contextlib

import structlog

from shared.db.aggregates import AggregateStore
from shared.envelope import Envelope
from shared.kafka.producer import EventProducer
from shared.metrics import OUTBOX_PUBLISHED
from shared.topics import ALL_TOPICS

log = structlog.get_logger(__name__)
TOPICS = {t.name: t for t in ALL_TOPICS}


class OutboxRelay:
    def __init__(self, store: AggregateStore, producer: EventProducer, sweep_interval_s: float = 2.0):
        self._store = store
        self._producer = producer
        self._interval = sweep_interval_s
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        self._sweeper: asyncio.Task | None = None
        store.notify_outbox(self._queue.put_nowait)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")
        self._sweeper = asyncio.create_task(self._sweep(), name="outbox-sweeper")

    async def stop(self) -> None:
        """Drain what was queued, then stop; the next start's sweep finds anything left."""
        if self._sweeper:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if self._task:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._queue.join(), timeout=10)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _sweep(self) -> None:
        """Find outboxes left by a crash or a failed publication."""
        while True:
            try:
                for doc in await self._store.with_pending_outbox():
                    self._queue.put_nowait(doc["_id"])
            except Exception as e:
                log.warning("outbox_sweep_failed", error=str(e))
            await asyncio.sleep(self._interval)

    async def _run(self) -> None:
        while True:
            aggregate_id = await self._queue.get()
            try:
                await self.publish(aggregate_id)
            except Exception as e:
                log.warning("outbox_publish_failed", aggregate_id=aggregate_id, error=str(e))
            finally:
                self._queue.task_done()

    async def publish(self, aggregate_id: str) -> int:
        doc = await self._store.get(aggregate_id)
        if not doc or not doc.get("outbox"):
            return 0
        items = [(TOPICS[p["topic"]], Envelope.model_validate(p["event"]), aggregate_id) for p in doc["outbox"]]
        await self._producer.publish_many(items)
        await self._store.mark_published(aggregate_id, {e.id for _, e, _ in items})
        OUTBOX_PUBLISHED.labels(self._store.collection.name).inc(len(items))
        return len(items)
