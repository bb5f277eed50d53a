"""After a restore: the erasures made since the backup, which the restored databases lack.

A database put back from an older backup holds again the contacts erased since (GDPR art. 17).
Each erasure is still on Kafka, as the newest value of its key on a compacted contacts topic (a
tombstone is kept ``RESTORE_WINDOW_DAYS``, ``shared/topics.py``), so it is found there:

- scheduling: a registration whose newest value on ``scheduling.contacts.v1`` is a tombstone loses
  its contact again, in the restored database, BEFORE scheduling starts (the service is stopped, so
  this is the documents' only writer; no replay writes a contact back: contacts come over REST only).
  The same two steps as ``services/scheduling/usecases/erasure.py``; its tombstone is on the topic.
- registry: an initiative whose newest value on ``registry.contacts.v1`` is ``contact_erased`` must
  be erased again AFTER the registry has caught up, since a revision replayed from Kafka may bring
  the contact back; the registry is then running and the one writer of its documents, so this is
  a curator's ``DELETE /v1/initiatives/{id}/contact`` (repeating it changes nothing): listed here.

Notifications needs nothing: its groups are rewound, and it takes the erasures again from the topics.
"""

from __future__ import annotations

import json
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import AsyncMongoClient

from services.scheduling.adapters.records import RegistrationRecords
from services.scheduling.adapters.stores import CONTACTS, REGISTRATIONS
from shared.events.initiatives import InitiativeContactErasedV1
from shared.kafka.security import client_options
from shared.settings import ServiceSettings
from shared.topics import REGISTRY_CONTACTS, SCHEDULING_CONTACTS

READ_TIMEOUT_S = 120  # one partition of a contacts topic, read to its end


async def newest_by_key(bootstrap: str, topic: str) -> dict[str, bytes | None]:
    """Each key's newest value on ``topic`` (None: a tombstone), read from the start to the end offsets."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, **client_options())
    await consumer.start()
    newest: dict[str, bytes | None] = {}
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return newest
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        for tp in partitions:
            deadline = time.monotonic() + READ_TIMEOUT_S
            while await consumer.position(tp) < ends[tp]:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{tp.topic}[{tp.partition}] not read to offset {ends[tp]} in {READ_TIMEOUT_S} s")
                for msg in (await consumer.getmany(tp, timeout_ms=1000)).get(tp, []):
                    if msg.offset < ends[tp] and msg.key is not None:
                        newest[msg.key.decode()] = msg.value
    finally:
        await consumer.stop()
    return newest


def erased_organisers(newest: dict[str, bytes | None]) -> list[str]:
    """The initiatives whose organiser's contact was erased last (``contact_erased`` is the newest)."""
    out = []
    for key, value in newest.items():
        try:
            if value is not None and json.loads(value).get("type") == InitiativeContactErasedV1.event_type:
                out.append(key)
        except ValueError:
            continue
    return sorted(out)


async def repeat_scheduling_erasures(settings: ServiceSettings) -> list[str]:
    """Erase again, in scheduling's restored database, each contact erased since the backup; their
    registration ids. Only while scheduling is stopped."""
    newest = await newest_by_key(settings.kafka_bootstrap_servers, settings.topic(SCHEDULING_CONTACTS.name))
    erased = [key for key, value in newest.items() if value is None]
    client = AsyncMongoClient(settings.mongodb_url, timeoutMS=20_000)
    try:
        db = client[settings.mongodb_database]
        held = sorted(d["_id"] for d in await db[CONTACTS].find({"_id": {"$in": erased}}, {"_id": 1}).to_list(None)) if erased else []
        records = RegistrationRecords(db[REGISTRATIONS])
        for registration_id in held:
            await db[CONTACTS].delete_one({"_id": registration_id})
            await records.mark_contact_erased(registration_id)
    finally:
        await client.close()
    return held


async def organiser_erasures_to_repeat(settings: ServiceSettings) -> list[str]:
    """The initiatives whose organiser's contact a curator erases again once the registry has caught up."""
    return erased_organisers(await newest_by_key(settings.kafka_bootstrap_servers, settings.topic(REGISTRY_CONTACTS.name)))
