"""Backup and restore of the services' databases on the local engines, with the consumer groups'
offsets taken at the same time (docs/reliability.md, "Backup and restore"). Kafka is signed in to
as the environment says (``KAFKA_*``, shared/kafka/security.py): a principal that may read and
commit the services' groups.

    python -m deploy.local.backup backup               -> .cache/backups/<UTC time>/
    python -m deploy.local.backup restore [DIR]        (default: the newest backup; services stopped)

A backup is mongodump's layout, meant for ``mongorestore --dir`` too (not tried: the tools are not
to be had here): ``<database>/<collection>.bson``
(the documents' BSON, one after the other, as stored) and ``<collection>.metadata.json`` (its
indexes), plus ``kafka-offsets.json`` (each of the platform's consumer groups' committed offsets)
and ``manifest.json`` (when, what, how many). mongodump itself is not used: the Go module proxy
refuses github.com/mongodb/mongo-tools and no Debian package has it; PyMongo's ``bson`` writes the
same bytes.

Order matters. The offsets are read BEFORE the databases are dumped, so every effect the dump
lacks comes from an event at or after a recorded offset: a restore rewinds the groups to those
offsets and the services take those events again (each takes effect once: the handlers are
idempotent). Offsets read after the dump could skip events whose effects the dump lacks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from bson import decode_file_iter
from bson.codec_options import CodecOptions
from bson.json_util import dumps as ejson
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient

from deploy.local.erasures import organiser_erasures_to_repeat, repeat_scheduling_erasures
from services.notifications.settings import NotificationsSettings
from services.registry.settings import RegistrySettings
from services.reporting.settings import ReportingSettings
from services.scheduling.settings import SchedulingSettings
from shared.db.leases import LEASES, REPLICAS
from shared.kafka.security import client_options
from shared.kafka.topic_admin import kafka_admin
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
BACKUPS = ROOT / ".cache" / "backups"
SERVICES = ("registry", "scheduling", "notifications", "reporting")  # the console keeps nothing
BATCH = 500  # documents per insert on restore (FerretDB: small bulks)
AS_STORED = CodecOptions(document_class=RawBSONDocument)
# The running processes' write leases and heartbeats (shared/db/leases.py): restored, they would
# name holders long gone, whose leases a writer takes over only after watching them for seconds.
NOT_BACKED_UP = {LEASES, REPLICAS}
STOPPED_WAIT_S = 30.0  # longer than a consumer's session timeout (KAFKA_SESSION_TIMEOUT_MS, 10 s)


class RestoreRefused(Exception):
    """The restore would race with a running service (or has nothing to restore)."""


def group_prefixes(topic_prefix: str, services: tuple[str, ...] = SERVICES) -> tuple[str, ...]:
    """Consumer groups are ``<TOPIC_PREFIX><service>.<subscription>`` (``ServiceSettings.group``)."""
    return tuple(f"{topic_prefix}{s}." for s in services)


async def group_offsets(bootstrap: str, prefixes: tuple[str, ...]) -> dict[str, dict[str, dict[str, int]]]:
    """Every consumer group under ``prefixes``: its committed offset by topic and partition."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    async with kafka_admin(bootstrap) as admin:
        groups = sorted(g[0] for g in await admin.list_consumer_groups() if g[0].startswith(prefixes))
        for group in groups:
            committed = await admin.list_consumer_group_offsets(group)
            for tp, meta in committed.items():
                if meta.offset >= 0:
                    out.setdefault(group, {}).setdefault(tp.topic, {})[str(tp.partition)] = meta.offset
    return out


async def backup(mongodb_url: str, bootstrap: str, databases: list[str], prefixes: tuple[str, ...], target: Path) -> dict:
    """Write a backup of ``databases`` and the groups' offsets into ``target`` (made); returns the manifest."""
    offsets = await group_offsets(bootstrap, prefixes)  # first: see the module's docstring
    target.mkdir(parents=True, exist_ok=False)
    (target / "kafka-offsets.json").write_text(json.dumps(offsets, indent=2, sort_keys=True) + "\n")
    counts: dict[str, dict[str, int]] = {}
    client = AsyncMongoClient(mongodb_url, timeoutMS=60_000, document_class=RawBSONDocument)
    try:
        for name in databases:
            db, folder = client[name], target / name
            folder.mkdir()
            counts[name] = {}
            for collection in sorted(set(await db.list_collection_names()) - NOT_BACKED_UP):
                counts[name][collection] = await _dump(db[collection], folder)
    finally:
        await client.close()
    manifest = {"taken_at": datetime.now(UTC).isoformat(), "databases": counts, "consumer_groups": sorted(offsets),
                "format": "mongodump layout (BSON + metadata.json per collection), offsets read before the dump"}
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


async def _dump(collection, folder: Path) -> int:
    count = 0
    with open(folder / f"{collection.name}.bson", "wb") as out:
        async for doc in collection.find({}):
            out.write(doc.raw)
            count += 1
    indexes = [dict(i) for i in await (await collection.list_indexes()).to_list(None)]
    meta = {"options": {}, "indexes": indexes, "collectionName": collection.name, "type": "collection"}
    (folder / f"{collection.name}.metadata.json").write_text(ejson(meta))
    return count


async def restore(mongodb_url: str, bootstrap: str, source: Path, prefixes: tuple[str, ...], wait_s: float = STOPPED_WAIT_S) -> dict:
    """Put each database of the backup back as it was (dropped, then its documents inserted as
    stored; the services make their indexes again at start) and rewind the platform's consumer
    groups to the backup's offsets. Refused while a group has members: the services must be
    stopped, or they would write on and commit newer offsets; a killed service's members are waited
    for up to ``wait_s`` (the broker drops them after the session timeout). Returns what was done."""
    manifest = json.loads((source / "manifest.json").read_text())
    recorded = json.loads((source / "kafka-offsets.json").read_text())
    deadline = time.monotonic() + wait_s
    while (busy := await _busy_groups(bootstrap, prefixes)) and time.monotonic() < deadline:
        await asyncio.sleep(2)
    if busy:
        raise RestoreRefused(f"consumer groups still have members (stop the services first): {busy[:5]}")
    restored: dict[str, int] = {}
    client = AsyncMongoClient(mongodb_url, timeoutMS=60_000)
    try:
        for name in manifest["databases"]:
            await client.drop_database(name)
            restored[name] = 0
            for path in sorted((source / name).glob("*.bson")):
                await client[name].create_collection(path.stem)  # an empty one too, as it was
                restored[name] += await _load(client[name][path.stem], path)
    finally:
        await client.close()
    rewound = await rewind(bootstrap, prefixes, recorded)
    return {"databases": restored, "groups_rewound": rewound, "taken_at": manifest["taken_at"]}


async def _load(collection, path: Path) -> int:
    count, batch = 0, []
    with open(path, "rb") as f:
        for doc in decode_file_iter(f, AS_STORED):  # raw: each document's bytes as dumped (an Int64 stays one)
            batch.append(doc)
            if len(batch) >= BATCH:
                count += await _insert(collection, batch)
                batch = []
    if batch:
        count += await _insert(collection, batch)
    return count


async def _insert(collection, docs: list[RawBSONDocument]) -> int:
    await collection.insert_many(docs, ordered=False)
    return len(docs)


async def _busy_groups(bootstrap: str, prefixes: tuple[str, ...]) -> list[str]:
    """The groups that still have members. Each group's committed offsets are committed again as
    they are (a change of nothing): the broker takes an offset commit from outside a group only
    while the group has no members. (aiokafka's DescribeGroups does not decode Kafka 4's answer.)"""
    busy = []
    for group, offsets in (await group_offsets(bootstrap, prefixes)).items():
        try:
            await _commit(bootstrap, group, {TopicPartition(t, int(p)): o for t, ps in offsets.items() for p, o in ps.items()})
        except KafkaError:
            busy.append(group)
    return busy


async def rewind(bootstrap: str, prefixes: tuple[str, ...], recorded: dict[str, dict[str, dict[str, int]]]) -> int:
    """Commit each group's recorded offsets; a group or partition the backup has no offset for
    (it began reading after the backup) goes back to the start of the log: the restored database
    has none of its effects. Returns the number of groups rewound."""
    now = await group_offsets(bootstrap, prefixes)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, **client_options())
    await consumer.start()
    try:
        partitions = {TopicPartition(t, int(p)) for g in now.values() for t, ps in g.items() for p in ps}
        starts = await consumer.beginning_offsets(list(partitions)) if partitions else {}
    finally:
        await consumer.stop()
    for group in sorted(set(now) | set(recorded)):
        was = recorded.get(group, {})
        target = {TopicPartition(t, int(p)): o for t, ps in was.items() for p, o in ps.items()}
        for t, ps in now.get(group, {}).items():
            for p in ps:
                target.setdefault(TopicPartition(t, int(p)), starts[TopicPartition(t, int(p))])
        await _commit(bootstrap, group, target)
    return len(set(now) | set(recorded))


async def _commit(bootstrap: str, group: str, offsets: dict[TopicPartition, int]) -> None:
    if not offsets:
        return
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, **client_options())
    await consumer.start()
    try:
        consumer.assign(list(offsets))
        await consumer.commit(offsets)
    finally:
        await consumer.stop()


def service_settings() -> dict[str, ServiceSettings]:
    """The four services' settings as the environment gives them (``infra.py env``: the engines and
    the Kafka sign-in; each service's database by its own default name)."""
    made = [cls() for cls in (RegistrySettings, SchedulingSettings, NotificationsSettings, ReportingSettings)]
    return {s.service_name: s for s in made}


async def run(action: str, settings: dict[str, ServiceSettings], root: Path = BACKUPS, source: Path | None = None) -> dict:
    """``backup``: a new backup under ``root``. ``restore``: ``source`` (default: the newest under
    ``root``) put back, then the erasures made since (``deploy/local/erasures.py``): scheduling's done
    again, the registry's listed for a curator to repeat once it has caught up."""
    any_one = settings["registry"]
    mongodb_url, bootstrap, prefixes = any_one.mongodb_url, any_one.kafka_bootstrap_servers, group_prefixes(any_one.topic_prefix)
    if action == "backup":
        target = root / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        manifest = await backup(mongodb_url, bootstrap, [s.mongodb_database for s in settings.values()], prefixes, target)
        return {"backup": str(target), **manifest}
    source = source or max((m.parent for m in root.glob("*/manifest.json")), default=None)
    if source is None:
        raise RestoreRefused(f"no backup under {root}")
    done = await restore(mongodb_url, bootstrap, source, prefixes)
    done["contacts_erased_again"] = await repeat_scheduling_erasures(settings["scheduling"])
    done["organiser_contacts_to_erase_again"] = await organiser_erasures_to_repeat(settings["registry"])
    return {"restored": str(source), **done}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("backup", "restore"))
    parser.add_argument("source", nargs="?", type=Path, help="restore: the backup's directory (default: the newest)")
    args = parser.parse_args(argv)
    try:
        print(json.dumps(asyncio.run(run(args.action, service_settings(), source=args.source)), indent=2))
    except RestoreRefused as e:
        sys.exit(f"restore refused: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
