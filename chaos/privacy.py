"""Where residents' details must not be: logs, open topics, and — after erasure — any database.

Every generated resident carries an unmistakable surname (``Kaosson00042``), address
(``kaos.resident00042@example.se``) and number (``+46709000042``, nationally ``0709000042``),
so one pattern finds any of them anywhere, in any form the code could have written.
"""

import json
import re
from collections import Counter
from pathlib import Path

from bson import json_util
from pymongo import AsyncMongoClient

from chaos import kafka_read
from shared.topics import ALL_TOPICS

PATTERN = re.compile(rb"Kaosson\d{5}|kaos\.resident\d{5}@example\.se|(?<!\d)(?:\+46|0)709\d{6}(?!\d)")
RESTRICTED = {t.name for t in ALL_TOPICS if t.personal_data}  # contacts, and the rendered email/SMS for gateways


def _hits(data: bytes) -> list[bytes]:
    return PATTERN.findall(data)


def scan_logs(files: list[Path]) -> dict[str, int]:
    out = {}
    for path in files:
        out[str(path.name)] = len(_hits(path.read_bytes()))
    return out


async def scan_topics(bootstrap: str) -> tuple[dict[str, int], list[str]]:
    """Hits per topic, and the topics left out because they are meant to carry contacts."""
    out, skipped = {}, []
    for topic in await kafka_read.topics(bootstrap):
        if topic in RESTRICTED:
            skipped.append(topic)
            continue
        hits = 0
        for key, value in await kafka_read.records(bootstrap, topic):
            hits += len(_hits(key or b"")) + len(_hits(value or b""))
        out[topic] = hits
    return out, skipped


async def scan_databases(mongodb_url: str, tokens: list[str]) -> dict[str, int]:
    """Occurrences of the given tokens in every document of every collection of every database."""
    wanted = re.compile("|".join(re.escape(t) for t in tokens).encode(), re.IGNORECASE) if tokens else None
    out: Counter = Counter()
    client = AsyncMongoClient(mongodb_url)
    try:
        for db_name in await client.list_database_names():
            if db_name in ("admin", "local", "config"):
                continue
            db = client[db_name]
            for coll in await db.list_collection_names():
                async for doc in db[coll].find({}):
                    text = json_util.dumps(doc, ensure_ascii=False).encode()
                    if wanted is not None:
                        out[f"{db_name}.{coll}"] += len(wanted.findall(text))
    finally:
        await client.close()
    return dict(out)


def summary(counts: dict[str, int]) -> int:
    return sum(counts.values())


def dumps(counts: dict) -> str:
    return json.dumps(counts, ensure_ascii=False)
