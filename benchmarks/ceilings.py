"""What the engines underneath can do at most, measured in the same run as the platform's figures.

- Kafka: Apache Kafka's own ProducerPerformance and ConsumerPerformance (the jars the local
  launcher resolved), and raw aiokafka produce and consume with the platform's own settings.
- Database: raw PyMongo async ``insert_many``, upsert by ``_id`` and ``find_one`` by ``_id``
  at the concurrency the services use (their pool size, 8).

    python -m benchmarks.ceilings [--records 200000] [--docs 5000]
"""

import argparse
import asyncio
import json
import os
import re
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import NewTopic
from pymongo import AsyncMongoClient

from benchmarks.common import INFRA_DIR
from benchmarks.message_writes import message_writes_per_s
from shared.kafka.security import client_options, java_client_properties
from shared.kafka.topic_admin import kafka_admin
from shared.settings import KafkaSecuritySettings

ROOT = Path(__file__).resolve().parents[1]
LIBS = INFRA_DIR / "kafka" / "libs"
LOG4J = ROOT / "deploy" / "local" / "kafka" / "log4j2.properties"
CONCURRENCY = 8  # the services' DB_MAX_POOL_SIZE


def java_tool(main: str, *args: str) -> str:
    cmd = ["java", "-Xmx512m", f"-Dlog4j2.configurationFile={LOG4J}", f"-Dkafka.logs.dir={INFRA_DIR / 'logs'}", "-cp", f"{LIBS}/*", main, *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=600).stdout


async def make_topic(bootstrap: str, name: str, partitions: int = 4, security: KafkaSecuritySettings | None = None) -> None:
    async with kafka_admin(bootstrap, security) as admin:
        await admin.create_topics([NewTopic(name, partitions, 1)])


async def drop_topic(bootstrap: str, name: str, security: KafkaSecuritySettings | None = None) -> None:
    async with kafka_admin(bootstrap, security) as admin:
        await admin.delete_topics([name])


def kafka_tools(bootstrap: str, topic: str, records: int, size: int, security: KafkaSecuritySettings | None = None) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".properties") as config:  # the sign-in (shared/kafka/security.py)
        config.write("".join(f"{k}={v}\n" for k, v in java_client_properties(security).items()))
        config.flush()
        out = java_tool(
            "org.apache.kafka.tools.ProducerPerformance", "--topic", topic, "--num-records", str(records),
            "--record-size", str(size), "--throughput", "-1", "--producer-props", f"bootstrap.servers={bootstrap}", "acks=all",
            "--producer.config", config.name,
        )
        produce = float(re.search(r"records sent, ([\d.]+) records/sec", out.strip().splitlines()[-1]).group(1))
        # --timeout: on a loaded machine joining the group alone can take longer than the tool's 10 s
        out = java_tool("org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", bootstrap, "--topic", topic, "--messages", str(records),
                        "--consumer.config", config.name, "--timeout", "120000")
    lines = out.strip().splitlines()
    at = next(i for i, line in enumerate(lines) if "nMsg.sec" in line)  # the CSV header; warnings may follow the figures
    header, values = lines[at], lines[at + 1]
    row = dict(zip([h.strip() for h in header.split(",")], [v.strip() for v in values.split(",")], strict=False))
    return {"kafka_tool_produce_per_s": produce, "kafka_tool_consume_per_s": float(row["nMsg.sec"])}


def sample_event(i: int) -> bytes:
    return json.dumps({
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": f"urn:malmo:source:bench-{i % 20}",
        "type": "se.malmo.oppna.initiative.submitted.v1", "subject": f"B-{i}", "time": "2025-09-01T10:00:00+02:00",
        "datacontenttype": "application/json",
        "data": {"external_id": f"B-{i}", "revision": 1, "title": {"sv": "Demokratisamtal", "en": "Democracy talk"},
                 "summary": {"sv": "Samtal om demokrati i Rosengård.", "en": "Talks about democracy."},
                 "organizer": {"kind": "administration", "name": "Kulturförvaltningen"},
                 "themes": ["democracy", "participation"], "origin": "new"},
    }).encode()


async def aiokafka_rates(bootstrap: str, topic: str, records: int, security: KafkaSecuritySettings | None = None) -> dict[str, float]:
    """Produce and consume with the platform's producer settings (idempotent, acks=all, linger 5 ms)."""
    values = [sample_event(i) for i in range(records)]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=5, **client_options(security))
    await producer.start()
    started = time.perf_counter()
    try:
        futures = [await producer.send(topic, v, key=str(i).encode()) for i, v in enumerate(values)]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    produce = records / (time.perf_counter() - started)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"bench-{uuid.uuid4().hex[:6]}",
                                enable_auto_commit=False, auto_offset_reset="earliest", **client_options(security))
    await consumer.start()
    seen = 0
    started = time.perf_counter()
    try:
        while seen < records:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            for tp, msgs in batch.items():
                for m in msgs:
                    json.loads(m.value)
                seen += len(msgs)
                await consumer.commit({tp: msgs[-1].offset + 1})
    finally:
        await consumer.stop()
    return {"aiokafka_produce_per_s": produce, "aiokafka_consume_per_s": records / (time.perf_counter() - started)}


async def database_rates(url: str, docs: int) -> dict[str, float]:
    client = AsyncMongoClient(url, maxPoolSize=CONCURRENCY, timeoutMS=60000)
    name = f"bench_ceiling_{uuid.uuid4().hex[:6]}"
    db = client[name]
    ids = [str(uuid.uuid4()) for _ in range(docs)]
    doc = {"state": {"title": {"sv": "Demokratisamtal"}, "themes": ["democracy"], "revision": 1}, "version": 1}
    try:
        started = time.perf_counter()
        # small bulk writes (docs/decisions/0008-small-pools-timeouts-and-small-bulks.md)
        for i in range(0, docs, 100):
            await db.insert_target.insert_many([{"_id": x, **doc} for x in ids[i : i + 100]])
        insert = docs / (time.perf_counter() - started)

        async def run(fn) -> float:
            queue = list(ids)
            started = time.perf_counter()

            async def worker():
                while queue:
                    await fn(queue.pop())

            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            return docs / (time.perf_counter() - started)

        upsert = await run(lambda x: db.upserts.replace_one({"_id": x}, {**doc, "_id": x}, upsert=True))
        find = await run(lambda x: db.upserts.find_one({"_id": x}))
    finally:
        await client.drop_database(name)
        await client.close()
    return {"db_insert_many_per_s": insert, "db_upsert_per_s": upsert, "db_find_one_per_s": find}


async def kafka_rates(bootstrap: str, records: int, tools: bool = True, security: KafkaSecuritySettings | None = None) -> dict[str, float]:
    """Kafka's own tools (unless ``tools`` is false or its jars are missing) and raw aiokafka, each
    on a topic of its own made and dropped here, signed in as ``security`` says (default: the
    environment's)."""
    results: dict[str, float] = {}
    for kind in ("tool", "aio"):
        if kind == "tool" and not (tools and LIBS.is_dir()):
            continue  # Kafka's jars come with the local launcher (deploy/local/infra.py); two JVM starts are skipped at small size
        topic = f"bench.ceiling.{kind}.{uuid.uuid4().hex[:6]}"
        await make_topic(bootstrap, topic, security=security)
        try:
            if kind == "tool":
                results.update(await asyncio.to_thread(kafka_tools, bootstrap, topic, records, 660, security))
            else:
                results.update(await aiokafka_rates(bootstrap, topic, min(records, 50_000), security))
        finally:
            await drop_topic(bootstrap, topic, security)
    return results


async def measure(records: int, docs: int, bootstrap: str | None = None, url: str | None = None, tools: bool = True,
                  ferretdb_postgresql_url: str | None = None) -> dict[str, float]:
    bootstrap = bootstrap or os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    url = url or os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27027/")
    results = await kafka_rates(bootstrap, records, tools)
    results.update(await database_rates(url, docs))
    pg_url = ferretdb_postgresql_url or os.environ.get("FERRETDB_POSTGRESQL_URL")
    results.update(await message_writes_per_s(url, docs, CONCURRENCY, pg_url))  # the fan-out's floor (message_writes.py)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--docs", type=int, default=5_000)
    args = parser.parse_args()
    results = asyncio.run(measure(args.records, args.docs))
    print("| ceiling (unit in its name) | value |\n|---|---|")
    for k, v in results.items():
        print(f"| {k} | {v:,.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
