"""Sessions stored before registrations had their own documents: their seat book (every
registration in the session's document) is moved out once, at start-up, before a request is taken.

Each registration's facts are first written into its document (which held only the private
link's hash until then; ``$set`` again after a crash writes the same), then the session's state
is changed to the counters, under its keyed lock (``AggregateStore.change``). A process that dies
between the two finds the old seat book again at its next start and does both again.
"""

import asyncio

import structlog
from pymongo.asynchronous.collection import AsyncCollection

from services.scheduling import seats
from shared.db.aggregates import AggregateStore, Decision

log = structlog.get_logger(__name__)

OLD_BOOK = ("registrations", "idempotency_keys")
CONCURRENT = 8


def documents_of(state: dict) -> list[dict]:
    """Each registration of an old seat book, as its own document holds it (as it stands now)."""
    refs = {rid: ref for ref, rid in state.get("idempotency_keys", {}).items()}
    keep = ("status", "party_size", "language", "channel", "registered_at", "code", "attended", "version", "seq")
    out = []
    for rid, e in state["registrations"].items():
        doc = {"registration_id": rid, "session_id": state["session_id"], **{k: e[k] for k in keep}}
        if rid in refs:
            doc["idempotency_ref"] = refs[rid]
        out.append(doc)
    return out


def upgraded(state: dict) -> dict:
    """The same session with the new seat book: counters, the waiting list in its order, nothing changed since."""
    docs = {d["registration_id"]: d for d in documents_of(state)}
    return {
        **{k: v for k, v in state.items() if k not in OLD_BOOK},
        "seats_confirmed": sum(d["party_size"] for d in docs.values() if d["status"] == "confirmed"),
        "waitlist": [seats.waiting_entry(docs[rid]) for rid in state["waitlist"]],
        "next_seq": state.get("next_seq", len(docs) + 1),
        "changed": {},
        "taken": {},
    }


async def upgrade_all(sessions: AggregateStore, records: AsyncCollection) -> int:
    """Move every old seat book out; returns how many sessions were upgraded."""
    old = [d["_id"] async for d in sessions.collection.find({"state.registrations": {"$exists": True}}, {"_id": 1})]
    for session_id in old:
        doc = await sessions.get(session_id)
        if doc is None or "registrations" not in doc["state"]:
            continue
        docs = documents_of(doc["state"])
        for i in range(0, len(docs), CONCURRENT):  # different documents: safe at once, a few at a time (the pool's size)
            await asyncio.gather(*(records.update_one({"_id": d["registration_id"]}, {"$set": d}, upsert=True) for d in docs[i : i + CONCURRENT]))
        await sessions.change(session_id, lambda s, v: Decision(upgraded(s)) if s is not None and "registrations" in s else None)
        log.info("seat_book_upgraded", session_id=session_id, registrations=len(doc["state"]["registrations"]))
    return len(old)
