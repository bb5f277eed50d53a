"""Each source's rejected messages, read back from the registry's own dead-letter topic.

The consumer runner dead-letters what it refuses to ``registry.submissions.rejected.v1``, with
the source, id and type it could read (from the structured body, else the ``ce_*`` headers);
the registry follows that topic into this collection so a publisher can see why
(``GET /v1/sources/{source}/rejections``). One document per dead letter, ``_id`` = the dead
letter's event id (which follows from the refused message's place), inserted against the
unique ``_id``: a redelivery is a duplicate key and changes nothing, so no lock is needed.

Who sees what:
- a rejection of a message on a publisher's inbox is in that publisher's feed, whatever source
  the message named: the broker proved who wrote it (``domain/inbox.py``);
- a rejection naming a registered source is in that source's feed (the source and curators);
- one naming a source that was not registered when it was recorded is for curators only, also
  once someone registers that name: anyone could have written it, with anyone's data in it;
- one whose source could not be read at all is kept *unattributed* without its bytes (those
  stay on the topic, at the place kept): curators see the count and the recent ones
  (``GET /v1/rejections/unattributed``), and every service counts them in
  ``om_dead_letters_unattributed_total``.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.db.indexes import IndexSpec
from shared.envelope import Envelope
from shared.events.dead_letters import MessageFailedV1, MessageRejectedV1

COLLECTION = "rejections"
INDEXES = [IndexSpec(COLLECTION, (("_id", 1),)), IndexSpec(COLLECTION, (("source", 1), ("at", -1)))]
MAX_PAGE = 200
MAX_SCANNED = 5000  # a source's rejections ordered here at most; beyond, page with ``before``


def record_of(event: Envelope, data: MessageRejectedV1 | MessageFailedV1, source: str, registered: bool) -> dict[str, Any]:
    return {
        "_id": event.id,
        "source": source,
        "registered": registered,
        "at": event.time.isoformat(),
        "kind": "rejected" if isinstance(data, MessageRejectedV1) else "failed",
        "consumer": data.consumer,
        "reasons": [r.model_dump() for r in data.reasons],
        "original": data.original.model_dump(mode="json"),
    }


def unattributed_record_of(event: Envelope, data: MessageRejectedV1 | MessageFailedV1) -> dict[str, Any]:
    """Where it is and why, not what it said: no one vouches for the bytes of a message without a
    source, and they stay on the dead-letter topic for an operator who needs them."""
    o = data.original
    return {
        "_id": event.id,
        "source": None,
        "at": event.time.isoformat(),
        "kind": "rejected" if isinstance(data, MessageRejectedV1) else "failed",
        "consumer": data.consumer,
        "reasons": [r.model_dump() for r in data.reasons],
        "original": {"topic": o.topic, "partition": o.partition, "offset": o.offset, "key": o.key,
                     "header_names": [h.name for h in o.headers]},
    }


class Rejections:
    """Not an aggregate: each record is written once, by its insert (the unique ``_id`` keeps one)."""

    def __init__(self, collection: AsyncCollection, source_of: Callable[[str], Awaitable[Any]],
                 inbox_of: Callable[[str], Awaitable[str | None]]):
        self._collection = collection
        self._source_of = source_of  # a registered source's state (None: not registered), cached
        self._inbox_of = inbox_of  # the source whose inbox a topic is (None: not an inbox, or no one's)

    async def record(self, event: Envelope, data: MessageRejectedV1 | MessageFailedV1) -> None:
        # On a publisher's inbox the broker proved who wrote it: its feed, whatever the message
        # claims (a source_mismatch is shown to its sender, not to the source it named).
        source = await self._inbox_of(data.original.topic) or data.original.ce_source
        if source is None:
            doc = unattributed_record_of(event, data)
        else:
            doc = record_of(event, data, source, registered=await self._source_of(source) is not None)
        try:
            await self._collection.insert_one(doc)
        except DuplicateKeyError:
            pass  # redelivered: recorded already

    async def of(self, source: str, before: str | None, limit: int, unregistered_too: bool = False) -> list[dict]:
        """Newest first. A source's rejections are few; the ordering is done over that source's only.
        ``unregistered_too``: with those recorded while the source was not registered (curators)."""
        q: dict[str, Any] = {"source": source}
        if not unregistered_too:
            q["registered"] = {"$ne": False}  # recorded before the flag existed: as before, shown
        if before:
            q["at"] = {"$lt": before}
        return await self._newest(q, limit)

    async def unattributed(self, limit: int) -> dict[str, Any]:
        """How many refused messages had no readable source, and the newest of them."""
        q = {"source": None}
        count = await self._collection.count_documents(q, limit=MAX_SCANNED)
        return {"count": count, "count_capped_at": MAX_SCANNED, "items": await self._newest(q, limit)}

    async def _newest(self, q: dict[str, Any], limit: int) -> list[dict]:
        docs = await self._collection.find(q).limit(MAX_SCANNED).to_list(None)
        docs.sort(key=lambda d: (d["at"], d["_id"]), reverse=True)
        return [{"id": d.pop("_id"), **d} for d in docs[:limit]]
