"""The fan-out's floor on this engine: the writes the storage rules ask of each message, raw.

Each message of a fan-out is its own aggregate (docs/architecture.md, "Storage"): it is created
``sending`` with its rendered request in its outbox (its share of an ``insert_many``), its
outcome replaces it under its version, and the relay marks its outbox published — a guarded
replace and a guarded update of a document that carries the rendered e-mail. This measures those
three writes with raw PyMongo at the services' pool size, on documents made by the service's own
decisions (so their size follows the templates) in a collection indexed as the service indexes
its messages; no reads, no Kafka, no SMTP. N divided by the rate is the least time N messages can
take on this engine, whatever the code around them does.
"""

import base64
import time
import uuid
from datetime import UTC, datetime, timedelta

import bson
from pymongo import AsyncMongoClient, ReplaceOne

from services.notifications import messages as m
from services.notifications import batch_send, render, wake
from services.notifications.message_ids import derived_event_id
from services.notifications.message_scheduler import each
from services.notifications.messages import NewMessage
from shared.db.aggregates import AggregateStore, aggregate_indexes
from shared.db.indexes import ensure_indexes
from shared.decisions import Pending
from shared.envelope import new_event
from shared.events.notifications import DeliveryOutcome, EmailRequestedV1
from shared.topics import NOTIFICATIONS_EMAIL

SOURCE = "urn:malmo:oppna:notifications"
# the insert_many batches the ceilings use (docs/decisions/0008-small-pools-timeouts-and-small-bulks.md)
BULK = 100


def _session(starts: datetime) -> dict:
    return {"session_id": "s-fanout", "edition_id": "ed-fanout", "initiative_id": "i-fanout", "title": {"sv": "Utspridning", "en": "Fan-out"},
            "organizer": {"kind": "other", "name": "Benchmark"}, "themes": ["democracy"], "languages": ["sv"], "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(), "online_url": "https://example.org/meet", "capacity": 100_000,
            "status": "rescheduled", "version": 2}


def message_documents(store: AggregateStore, n: int, now: datetime) -> list[tuple[dict, dict]]:
    """(as created ``sending``, as its outcome ``sent`` replaces it) for ``n`` change notices by e-mail."""
    session = _session(now + timedelta(days=5))
    ctx = {"unsubscribe_url": "https://oppna.malmo.se/v1/unsubscribe/" + "u" * 120, "manage_url": "https://oppna.malmo.se/programme/registrations/" + "r" * 70,
           **render.session_view(session, "sv"), "position": None, "previously": render.format_when(session["starts_at"], "sv")}
    out = render.render("session_changed", "sv", ctx)
    calendar = base64.b64encode(render.ics(session, session["session_id"], "sv")).decode()
    docs = []
    for i in range(n):
        rid = f"fan-{i:06d}"
        new = NewMessage(f"change|s-fanout|{now.isoformat()}", "email", "session_changed", "sv", "registration", rid,
                         {"session_id": session["session_id"], "registration_id": rid}, now, now + timedelta(days=5), "ed-fanout")
        mid = new.message_id
        request = EmailRequestedV1(message_id=mid, recipient=f"{rid}@example.org", language="sv", category="session_changed", subject=out.subject,
                                   text=out.text, html=out.html, headers={"List-Unsubscribe": f"<{ctx['unsubscribe_url']}>"},
                                   attachments=[{"filename": "oppna-malmo.ics", "content_type": "text/calendar", "content_base64": calendar}],
                                   not_before=now, expires_at=new.expires_at)
        event = new_event(request, source=SOURCE, subject=mid, event_id=derived_event_id(mid, "requested"), time=now)
        started = m.start_sending("scheduled", now, Pending.of(NOTIFICATIONS_EMAIL, event), "adapter")(m.create(new, now)(None, 0).state, 1)
        outbox = [{"topic": p.topic, "event": p.event} for p in started.events]
        created = store.document(mid, 1, 1, started.state, outbox)
        sent = m.to_status("sent", now, SOURCE, DeliveryOutcome.sent, sent_at=now)(started.state, 1)
        docs.append((created, store.document(mid, 2, 2, sent.state, outbox + [{"topic": p.topic, "event": p.event} for p in sent.events])))
    return docs


async def message_writes_per_s(url: str, n: int, concurrency: int, ferretdb_postgresql_url: str | None) -> dict[str, float]:
    """Messages per second through the three writes, and the bytes of a message's document."""
    client = AsyncMongoClient(url, maxPoolSize=concurrency, timeoutMS=60000, tz_aware=True)
    db = client[f"bench_messages_{uuid.uuid4().hex[:6]}"]
    try:
        await ensure_indexes(db, aggregate_indexes(m.COLLECTION) + m.INDEXES, ferretdb_postgresql_url)
        store = AggregateStore(db[m.COLLECTION], lift=wake.lift)
        docs = message_documents(store, n, datetime.now(UTC))
        started = time.perf_counter()
        for i in range(0, n, BULK):
            await store.collection.insert_many([created for created, _ in docs[i:i + BULK]], ordered=False)

        # the outcomes, in bulk writes of the batched path's size (batch_send.BULK), the pool's size at a time
        chunks = [docs[i:i + batch_send.BULK] for i in range(0, n, batch_send.BULK)]
        await each(chunks, lambda chunk: store.collection.bulk_write(
            [ReplaceOne({"_id": sent["_id"], "version": 1}, sent) for _, sent in chunk], ordered=False), concurrency)
        # the relay's marking, one per message (OutboxRelay.publish → AggregateStore.mark_published)
        await each(docs, lambda pair: store.collection.update_one(
            {"_id": pair[1]["_id"], "version": 2}, {"$set": {"outbox": [], "outbox_pending": False, "version": 3}}), concurrency)
        rate = n / (time.perf_counter() - started)
        marked = await store.collection.count_documents({"version": 3})
        if marked != n:
            raise RuntimeError(f"message writes: {marked} of {n} documents marked")  # a write lost would flatter the rate
        return {"db_message_writes_per_s": rate, "message_document_bytes": float(len(bson.encode(docs[0][1])))}
    finally:
        await client.drop_database(db.name)
        await client.close()
