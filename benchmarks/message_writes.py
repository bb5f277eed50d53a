"""The fan-out's floor on this engine: the writes the storage rules ask of its messages, raw.

A fan-out's messages are kept a page to a document (docs/architecture.md, "Storage";
services/notifications/domain/pages.py): a page of a session's registrants is created with its
messages ``sending`` (their rendered requests go to the topic at the hand-over, not into the
page) and its outcomes replace it under its version (their counts published just before, not
kept in its outbox) — two writes of a page. This measures those writes with raw PyMongo at the
services' pool size, on pages made by the service's own decisions in a collection indexed as the
service indexes its messages; no reads, no Kafka, no SMTP. N divided by
the rate is the least time N messages can take on this engine, whatever the code around them does.
"""

import time
import uuid
from datetime import UTC, datetime, timedelta

import bson
from pymongo import AsyncMongoClient

from services.notifications.adapters import messages as stored
from services.notifications.adapters.copies import PAGE
from services.notifications.domain import messages as m
from services.notifications.domain.messages import NewMessage
from services.notifications.domain.pages import fan_out_page_id, page_state
from services.notifications.usecases.handover import each
from shared.db.aggregates import aggregate_indexes, stored_document
from shared.db.indexes import ensure_indexes
from shared.events.notifications import DeliveryOutcome

SOURCE = "urn:malmo:oppna:notifications"


def _messages(first: int, count: int, now: datetime) -> tuple[dict, dict]:
    """One page's messages: (items as created ``sending``, items ``sent``)."""
    cause = f"change|s-fanout|{now.isoformat()}"
    started, sent = {}, {}
    for i in range(first, first + count):
        rid = f"fan-{i:06d}"
        new = NewMessage(cause, "email", "session_changed", "sv", "registration", rid, {"session_id": "s-fanout", "registration_id": rid},
                         now, now + timedelta(days=5), "ed-fanout")
        start = m.start_sending("scheduled", now, "adapter")(m.created(new, now), 1)
        done = m.with_request(m.to_status("sent", now, SOURCE, DeliveryOutcome.sent, sent_at=now))(start.state, 1)
        started[new.message_id], sent[new.message_id] = start.state, done.state
    return started, sent


def page_documents(n: int, now: datetime) -> list[tuple[dict, dict]]:
    """(as created, as its outcomes replace it) for the pages of ``n`` change notices by e-mail."""
    cause = f"change|s-fanout|{now.isoformat()}"
    docs = []
    for first in range(0, n, PAGE):
        started, sent = _messages(first, min(PAGE, n - first), now)
        page_id = fan_out_page_id(cause, started)
        created = stored_document(page_id, dict(page_state(page_id, cause, started)), [], stored.lift)
        recorded = stored_document(page_id, dict(page_state(page_id, cause, sent)), [], stored.lift, version=2, state_version=2)
        docs.append((created, recorded))
    return docs


async def message_writes_per_s(url: str, n: int, concurrency: int, ferretdb_postgresql_url: str | None) -> dict[str, float]:
    """Messages per second through their pages' two writes, and the bytes of a message in its page."""
    client = AsyncMongoClient(url, maxPoolSize=concurrency, timeoutMS=60000, tz_aware=True)
    db = client[f"bench_messages_{uuid.uuid4().hex[:6]}"]
    try:
        declared = aggregate_indexes(stored.COLLECTION) + stored.INDEXES
        await ensure_indexes(db, declared, ferretdb_postgresql_url)
        collection = db[stored.COLLECTION]
        docs = page_documents(n, datetime.now(UTC))
        began = time.perf_counter()
        # a fan-out's pages go through the pipeline two at a time (usecases/triggers.py)
        await each(docs, lambda pair: collection.insert_one(pair[0]), concurrency)
        await each(docs, lambda pair: collection.replace_one({"_id": pair[1]["_id"], "version": 1}, pair[1]), concurrency)
        rate = n / (time.perf_counter() - began)
        recorded = await collection.count_documents({"version": 2})
        if recorded != len(docs):
            raise RuntimeError(f"message writes: {recorded} of {len(docs)} pages recorded")  # a write lost would flatter the rate
        page_bytes = len(bson.encode(docs[0][1]))
        return {"db_message_writes_per_s": rate, "message_document_bytes": float(page_bytes / len(docs[0][1]["state"]["items"])),
                "page_document_bytes": float(page_bytes)}
    finally:
        await client.drop_database(db.name)
        await client.close()
