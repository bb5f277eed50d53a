"""Statistics snapshots on ``reporting.statistics.v1``: when an edition closes, and on a schedule.

A snapshot holds the edition's suppressed figures. Its event id follows from (edition, figures
hash), and the ids published are kept (inserted once, by ``_id``), so unchanged figures are not
published again and a re-publication after a crash is recognisably the same event.
"""

import asyncio
import contextlib
import hashlib
import json
import uuid
from datetime import UTC, datetime

import structlog
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.reporting.figures import all_figures
from services.reporting.model import ReadModel
from services.reporting.projection import SNAPSHOTS
from shared.envelope import Envelope, new_event
from shared.events.reporting import SnapshotReason, StatisticsPublishedV1
from shared.kafka.producer import EventProducer
from shared.topics import REPORTING_STATISTICS

log = structlog.get_logger(__name__)
SOURCE = "urn:malmo:oppna:reporting"


def figures_hash(figures: dict) -> str:
    return hashlib.sha256(json.dumps(figures, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def snapshot_event(model: ReadModel, edition_id: str, threshold: int, reason: SnapshotReason, now: datetime) -> Envelope:
    """Pure: the snapshot event of an edition's figures as they are now."""
    figures = all_figures(model, edition_id, threshold)
    digest = figures_hash(figures)
    data = StatisticsPublishedV1(
        edition_id=edition_id,
        edition_year=model.editions[edition_id]["year"],
        reason=reason,
        threshold=threshold,
        figures_hash=digest,
        figures=figures,
        computed_at=now,
    )
    event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{SOURCE}|statistics|{edition_id}|{digest}"))
    return new_event(data, source=SOURCE, subject=edition_id, event_id=event_id, time=now)


class Snapshots:
    def __init__(self, db: AsyncDatabase, producer: EventProducer, model: ReadModel, threshold: int):
        self._published = db[SNAPSHOTS]
        self._producer = producer
        self._model = model
        self._threshold = threshold
        self._lock = asyncio.Lock()
        self._task: asyncio.Task | None = None

    async def publish(self, edition_id: str, reason: SnapshotReason) -> str | None:
        """Publish the edition's snapshot unless these very figures were published; returns its id."""
        async with self._lock:
            event = snapshot_event(self._model, edition_id, self._threshold, reason, datetime.now(UTC))
            if await self._published.find_one({"_id": event.id}, {"_id": 1}):
                return None
            await self._producer.publish(REPORTING_STATISTICS, event, key=edition_id)
            with contextlib.suppress(DuplicateKeyError):
                await self._published.insert_one(
                    {"_id": event.id, "edition_id": edition_id, "reason": reason.value, "figures_hash": event.data["figures_hash"], "at": event.time}
                )
            log.info("statistics_published", edition_id=edition_id, reason=reason.value, event_id=event.id)
            return event.id

    async def on_edition_closed(self, edition: dict) -> None:
        await self.publish(edition["edition_id"], SnapshotReason.edition_closed)

    async def every(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            for edition_id in sorted(self._model.editions):
                try:
                    await self.publish(edition_id, SnapshotReason.scheduled)
                except Exception as e:  # the next round tries again
                    log.warning("statistics_publish_failed", edition_id=edition_id, error=repr(e))

    def start(self, interval_s: float) -> None:
        if interval_s > 0:
            self._task = asyncio.create_task(self.every(interval_s), name="statistics-snapshots")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
