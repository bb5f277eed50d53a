"""Each source's rejected messages, read back from the registry's own dead-letter topic.

The consumer runner dead-letters what it refuses to ``registry.submissions.rejected.v1``; the
registry follows that topic into this collection so a publisher can see why
(``GET /v1/sources/{source}/rejections``). One document per dead letter, ``_id`` = the dead
letter's event id (which follows from the refused message's place), inserted against the
unique ``_id``: a redelivery is a duplicate key and changes nothing, so no lock is needed.
"""

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


def record_of(event: Envelope, data: MessageRejectedV1 | MessageFailedV1) -> dict[str, Any]:
    return {
        "_id": event.id,
        "source": data.original.ce_source,
        "at": event.time.isoformat(),
        "kind": "rejected" if isinstance(data, MessageRejectedV1) else "failed",
        "consumer": data.consumer,
        "reasons": [r.model_dump() for r in data.reasons],
        "original": data.original.model_dump(mode="json"),
    }


class Rejections:
    def __init__(self, collection: AsyncCollection):
        self._collection = collection

    async def record(self, event: Envelope, data: MessageRejectedV1 | MessageFailedV1) -> None:
        if data.original.ce_source is None:
            return  # unreadable: no source to show it to (it stays on the topic for operators)
        try:
            await self._collection.insert_one(record_of(event, data))
        except DuplicateKeyError:
            pass  # redelivered: recorded already

    async def of(self, source: str, before: str | None, limit: int) -> list[dict]:
        """Newest first. A source's rejections are few; the ordering is done over that source's only."""
        q: dict[str, Any] = {"source": source}
        if before:
            q["at"] = {"$lt": before}
        docs = await self._collection.find(q).limit(MAX_SCANNED).to_list(None)
        docs.sort(key=lambda d: (d["at"], d["_id"]), reverse=True)
        return [{"id": d.pop("_id"), **d} for d in docs[:limit]]
