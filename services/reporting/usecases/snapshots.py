"""Statistics snapshots on ``reporting.statistics.v1``: when an edition closes, and on a schedule.

A snapshot holds the edition's suppressed figures (``domain/snapshot.py``). The ids published are
kept (stored once, by event id), so unchanged figures are not published again and a
re-publication after a crash is recognisably the same event.
"""

import asyncio
from datetime import UTC, datetime
from functools import partial

import structlog

from services.reporting.domain.decisions import decide_once
from services.reporting.domain.model import ReadModel
from services.reporting.domain.snapshot import published_snapshot, snapshot_event
from services.reporting.domain.states import EditionSummary
from shared.db.aggregates import AggregateStore, change_one
from shared.db.keyed_lock import KeyedLocks
from shared.events.reporting import SnapshotReason
from shared.kafka.producer import EventProducer
from shared.topics import REPORTING_STATISTICS

log = structlog.get_logger(__name__)


class Snapshots:
    """``published``: the snapshots published, by event id; ``editions``: a lock per edition, held
    from the look-up of a snapshot to its record, so one is not published twice at once;
    ``interval_s``: seconds between scheduled snapshots of every edition (0: none scheduled)."""

    def __init__(self, published: AggregateStore, editions: KeyedLocks, producer: EventProducer, model: ReadModel, threshold: int,
                 interval_s: float = 0):
        self._published = published
        self._editions = editions
        self._producer = producer
        self._model = model
        self._threshold = threshold
        self._interval_s = interval_s

    async def publish(self, edition_id: str, reason: SnapshotReason) -> str | None:
        """Publish the edition's snapshot unless these very figures were published; returns its id."""
        async with self._editions.hold(edition_id):
            event = snapshot_event(self._model, edition_id, self._threshold, reason, datetime.now(UTC))
            if await self._published.get(event.id) is not None:
                return None
            await self._producer.publish(REPORTING_STATISTICS, event, key=edition_id)
            # Another process may have published the same figures meanwhile: the first record stays.
            await change_one(self._published, event.id, partial(decide_once, fact=published_snapshot(event)), new=True)
            log.info("statistics_published", edition_id=edition_id, reason=reason.value, event_id=event.id)
            return event.id

    async def on_edition_closed(self, edition: EditionSummary) -> None:
        await self.publish(edition["edition_id"], SnapshotReason.edition_closed)

    async def every(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            for edition_id in sorted(self._model.editions):
                try:
                    await self.publish(edition_id, SnapshotReason.scheduled)
                except Exception as e:  # the next round tries again
                    log.warning("statistics_publish_failed", edition_id=edition_id, error=repr(e))

    async def run(self) -> None:
        """The schedule, every ``interval_s`` (none at 0), until cancelled: in one replica, the leader."""
        if self._interval_s > 0:
            await self.every(self._interval_s)
