"""The outbox relay: publishes the events an aggregate wrote into its own document, then marks them.

Each is keyed by its aggregate's id, or by the key its entry names (a message in a page).

A crash between the write and the publication loses nothing (the events are in the document);
a crash between publication and marking publishes them again with the same CloudEvents id,
which consumers deduplicate on (source, id).

An aggregate waits in the queue at most once (a burst of changes to it is one publication of
everything in its outbox), and a few workers publish different aggregates at once, never two
the same one (its events stay in order). One serial worker fell behind a registration rush: the
sessions' outboxes grew to ~100 events, and every read and write of those documents with them.

The relay publishes from the document as this process just wrote it (the store hands it over),
so the common case costs one database round trip (the marking), not three. When the document
changed between that write and the marking, the marking removes what was published from what
it holds now, and the next publication of that aggregate reads it from the database again.
"""

import asyncio
import contextlib
from collections import OrderedDict

import structlog

from shared.db.aggregates import AggregateStore, PublishFirst
from shared.envelope import Envelope
from shared.kafka.producer import EventProducer
from shared.metrics import OUTBOX_PUBLISHED
from shared.topics import ALL_TOPICS

log = structlog.get_logger(__name__)
TOPICS = {t.name: t for t in ALL_TOPICS}
MARKED_KEPT = 10_000


def publishable(entries: list[dict], aggregate_id: str | None = None) -> list[tuple]:
    """Outbox entries as the producer takes them: (topic, event, key — the entry's, or the aggregate's id)."""
    return [(TOPICS[p["topic"]], Envelope.model_validate(p["event"]), p.get("key", aggregate_id)) for p in entries]


def publish_first(producer: EventProducer, collection: str) -> PublishFirst:
    """The store's ``publish_first`` (aggregates.py, ``change``) for ``collection``, through this producer."""

    async def publish(entries: list[dict]) -> None:
        await producer.publish_many(publishable(entries))
        OUTBOX_PUBLISHED.labels(collection).inc(len(entries))

    return publish


class OutboxRelay:
    def __init__(self, store: AggregateStore, producer: EventProducer, sweep_interval_s: float = 2.0, workers: int = 8):
        self._store = store
        self._producer = producer
        self._interval = sweep_interval_s
        self._workers = workers
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._queued: set[str] = set()  # ids in the queue
        self._busy: set[str] = set()  # ids a worker is publishing
        self._written: dict[str, dict] = {}  # id -> the document as last written here, while queued
        # id -> the version its marking wrote (the newest few): a sweep that read the document
        # before a worker marked it would otherwise queue it again, and that publication reads it.
        self._marked: OrderedDict[str, int] = OrderedDict()
        self._tasks: list[asyncio.Task] = []
        store.outbox.watch(self._written_now)

    def _written_now(self, aggregate_id: str, doc: dict) -> None:
        self._written[aggregate_id] = doc
        self._enqueue(aggregate_id)

    def _enqueue(self, aggregate_id: str) -> None:
        if aggregate_id not in self._queued:
            self._queued.add(aggregate_id)
            self._queue.put_nowait(aggregate_id)

    async def start(self) -> None:
        """The workers, which publish what this process writes; the sweep runs where the caller
        says (the service's leader: ``Runtime``)."""
        self._tasks = [asyncio.create_task(self._run(), name=f"outbox-relay-{n}") for n in range(self._workers)]

    async def stop(self) -> None:
        """Drain what was queued, then stop; the leader's next sweep finds anything left."""
        if self._tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._queue.join(), timeout=10)
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def sweep(self) -> None:
        """Find outboxes left by a crash or a failed publication, every few seconds, until cancelled.
        Any replica's relay may publish any document's outbox: the marking is a guarded write
        under the document's lease, and a repeat publication has the same event ids."""
        while True:
            try:
                for doc in await self._store.outbox.pending():
                    if doc["_id"] in self._busy or self._marked.get(doc["_id"], -1) > doc.get("version", -1):
                        continue  # being published now, or published since it was read: it is not left behind
                    self._enqueue(doc["_id"])
            except Exception as e:
                log.warning("outbox_sweep_failed", error=str(e))
            await asyncio.sleep(self._interval)

    async def _run(self) -> None:
        while True:
            aggregate_id = await self._queue.get()
            self._queued.discard(aggregate_id)  # a change from now on queues it again
            if aggregate_id in self._busy:  # another worker has it: again once that one is done
                asyncio.get_running_loop().call_later(0.05, self._enqueue, aggregate_id)
                self._queue.task_done()
                continue
            self._busy.add(aggregate_id)
            try:
                await self.publish(aggregate_id)
            except Exception as e:
                log.warning("outbox_publish_failed", aggregate_id=aggregate_id, error=str(e))
            finally:
                self._busy.discard(aggregate_id)
                self._queue.task_done()

    async def publish(self, aggregate_id: str) -> int:
        doc = self._written.pop(aggregate_id, None) or await self._store.get(aggregate_id)
        if not doc or not doc.get("outbox"):
            return 0
        items = publishable(doc["outbox"], aggregate_id)
        await self._producer.publish_many(items)
        if await self._store.outbox.published(aggregate_id, {e.id for _, e, _ in items}, doc["version"]):
            self._marked[aggregate_id] = doc["version"] + 1
            self._marked.move_to_end(aggregate_id)
            if len(self._marked) > MARKED_KEPT:
                self._marked.popitem(last=False)
        else:
            # Changed since: a copy handed over meanwhile still holds what was just published.
            self._written.pop(aggregate_id, None)
        OUTBOX_PUBLISHED.labels(self._store.name).inc(len(items))
        return len(items)
