"""Every record of a topic, from the first offset to the end as it stands now."""

from aiokafka import AIOKafkaConsumer, TopicPartition
from shared.kafka.security import client_options


async def topics(bootstrap: str) -> list[str]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_options())
    await consumer.start()
    try:
        return sorted(t for t in await consumer.topics() if not t.startswith("__"))
    finally:
        await consumer.stop()


async def records(bootstrap: str, topic: str) -> list[tuple[bytes | None, bytes | None]]:
    """(key, value) of every record, in partition order."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, max_partition_fetch_bytes=8 * 1024 * 1024, **client_options())
    await consumer.start()
    try:
        consumer.subscribe([topic])  # makes the client fetch this topic's metadata …
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.unsubscribe()  # … and assigning partitions by hand needs no group
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        out: list[tuple[bytes | None, bytes | None]] = []
        remaining = {tp for tp in partitions if end[tp] > 0}
        positions = {tp: 0 for tp in partitions}
        while remaining:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for tp, msgs in batches.items():
                for m in msgs:
                    if m.offset < end[tp]:
                        out.append((m.key, m.value))
                    positions[tp] = m.offset + 1
                if positions[tp] >= end[tp]:
                    remaining.discard(tp)
            if not batches:
                # Compaction or transaction markers can leave the last offsets without records.
                for tp in list(remaining):
                    if await consumer.position(tp) >= end[tp]:
                        remaining.discard(tp)
        return out
    finally:
        await consumer.stop()
