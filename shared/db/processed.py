"""The log of processed events, for deduplication on (source, id).

Handlers are idempotent by themselves (revision and version checks written with the effect);
this log spares them the work of a redelivery and makes "seen before" cheap to ask.
"""

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.db.indexes import IndexSpec
from shared.db.inserts import insert_missing

COLLECTION = "processed_events"
INDEXES = [IndexSpec(COLLECTION, (("_id", 1),))]


class ProcessedEvents:
    def __init__(self, collection: AsyncCollection, scope: str):
        self._collection = collection
        self._scope = scope

    def _key(self, source: str, event_id: str) -> str:
        return f"{self._scope}|{source}|{event_id}"

    async def seen(self, source: str, event_id: str) -> bool:
        return await self._collection.find_one({"_id": self._key(source, event_id)}, {"_id": 1}) is not None

    async def record(self, source: str, event_id: str) -> None:
        try:
            await self._collection.insert_one({"_id": self._key(source, event_id)})
        except DuplicateKeyError:
            pass  # recorded by an earlier delivery: the unique _id is the guard

    async def record_many(self, events: list[tuple[str, str]]) -> None:
        """Record a batch in one round trip; ids recorded before are left as they are."""
        keys = dict.fromkeys(self._key(source, event_id) for source, event_id in events)
        await insert_missing(self._collection, [{"_id": k} for k in keys])
