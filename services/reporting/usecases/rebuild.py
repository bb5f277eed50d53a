"""Rebuild: replay every topic reporting reads from offset 0 into a fresh model, and compare.

A separate Kafka consumer (no group: partitions assigned, sought to the beginning, read up to
the end offsets taken at the start) feeds the same decisions as the live projection into an
in-memory model, so the rebuilt figures can be compared with the live ones — they must be
equal — and, kept, the model is written once at the end into a fresh database to swap to (set
``MONGODB_DATABASE`` to it and restart).

    python -m services.reporting.usecases.rebuild [--keep]     (always compares with the live database)
"""

import argparse
import asyncio
import json
import uuid
from dataclasses import dataclass

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.reporting.adapters.stores import INDEXES, summary_stores
from services.reporting.consumers import subscriptions
from services.reporting.domain.comparison import compare
from services.reporting.domain.model import ReadModel
from services.reporting.settings import ReportingSettings
from services.reporting.usecases.projection import Projection
from services.reporting.usecases.replay import InMemoryProjection, write
from shared.db.aggregates import AggregateStore
from shared.db.client import make_client
from shared.db.indexes import ensure_indexes
from shared.envelope import InvalidEvent, parse_data, parse_envelope
from shared.kafka.security import client_options
from shared.vocabularies import COLLECTION as VOCABULARIES

log = structlog.get_logger(__name__)

MAX_RECORDS = 5000  # a getmany's records: the replay decodes them back to back
FETCH_BYTES = 4 * 1024 * 1024  # a partition's fetch (1 MB by default); the whole fetch stays under 50 MB


@dataclass
class Rebuilt:
    database: str | None  # None: not kept, nothing written
    model: ReadModel
    events: int
    skipped: int
    # Messages appended to the topics after the replay took its end offsets: the live model may
    # have applied them, so with arrived > 0 a difference can be the live side being ahead, not a bug.
    arrived: int = 0


async def rebuild(settings: ReportingSettings, keep: bool = True, database: str | None = None) -> Rebuilt:
    """Replay the topics from the beginning to their current ends into a model; ``keep``: and write
    it into ``database`` (fresh) to swap to. Not kept, nothing is written: the comparison reads
    the model, and writing a database only to drop it was most of a rebuild's time."""
    model = ReadModel()
    # In memory during the replay, written once at the end (usecases/replay.py).
    projection = InMemoryProjection(model)
    handlers = {}
    topics = []
    for sub in subscriptions(projection):
        handlers.update(sub.handlers)
        topics += [settings.topic(t.name) for t in sub.topics]
    events, skipped, arrived = await _replay(settings, topics, handlers)
    if not keep:
        return Rebuilt(None, model, events, skipped, arrived)
    database = database or f"{settings.mongodb_database}_rebuild_{uuid.uuid4().hex[:8]}"
    client = make_client(settings)
    try:
        db = client[database]
        await ensure_indexes(db, INDEXES, settings.ferretdb_postgresql_url)
        await write(db, model)
        # the registry's vocabularies (labels only, not replayed): the database swapped to keeps them
        followed = await client[settings.mongodb_database][VOCABULARIES].find({}).to_list(None)
        if followed:
            await db[VOCABULARIES].insert_many(followed)
    finally:
        await client.close()
    return Rebuilt(database, model, events, skipped, arrived)


async def _replay(settings: ReportingSettings, topics: list[str], handlers: dict) -> tuple[int, int, int]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, group_id=None, enable_auto_commit=False,
        client_id=f"{settings.service_name}-rebuild",
        # Larger fetches: fewer round trips while the replay decodes.
        max_partition_fetch_bytes=FETCH_BYTES,
        **client_options(settings),
    )
    await consumer.start()
    events = skipped = 0
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
        if not partitions:
            return 0, 0, 0
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        for tp in partitions:
            if tp not in remaining:
                consumer.pause(tp)
        while remaining:
            batches = await consumer.getmany(timeout_ms=500, max_records=MAX_RECORDS)
            for tp, msgs in batches.items():
                if tp not in remaining:
                    continue
                for msg in msgs:
                    if msg.offset >= ends[tp]:
                        break
                    handled = await _one(msg, handlers)
                    events += handled
                    skipped += 1 - handled
            # every partition, not only those in the batch: one whose messages retention deleted
            # (log start == end > 0) never returns a batch, yet its position is at its end
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
                    consumer.pause(tp)
        later = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    return events, skipped, sum(later[tp] - ends[tp] for tp in partitions)


async def _one(msg, handlers: dict) -> int:
    if msg.value is None:
        return 0
    try:
        envelope = parse_envelope(msg.value)
        handler = handlers.get(envelope.type)
        if handler is None:
            return 0
        data = parse_data(envelope, handler.model)
    except InvalidEvent:
        return 0  # the live service dead-lettered it; it counts nowhere
    try:
        await handler.handle(envelope, data)
    except Exception as e:
        # Live, a handler that fails on the event itself (not on an engine) is retried and then
        # dead-lettered, its effect never stored; the in-memory handlers decide before they change
        # the model, so skipping it here leaves the same model. Not a failed rebuild.
        log.warning("rebuild_event_skipped", type=envelope.type, id=envelope.id, error=repr(e)[:300])
        return 0
    return 1


async def drop(settings: ReportingSettings, database: str) -> None:
    client = make_client(settings)
    try:
        await client.drop_database(database)
    finally:
        await client.close()


async def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the rebuilt database (to swap to)")
    args = parser.parse_args()
    settings = ReportingSettings()
    rebuilt = await rebuild(settings, keep=args.keep)
    client = make_client(settings)
    try:
        live = ReadModel()
        db = client[settings.mongodb_database]
        await Projection(summary_stores(lambda c: AggregateStore(db[c])), live).load()
    finally:
        await client.close()
    diff = compare(live, rebuilt.model, settings.suppression_threshold)
    print(json.dumps({"database": rebuilt.database, "events": rebuilt.events, "skipped": rebuilt.skipped, "arrived_during_replay": rebuilt.arrived, "equal": not diff, "differences": diff[:50]}, indent=2))


if __name__ == "__main__":
    asyncio.run(_main())
