"""The subscriptions' store: one document per subscription (domain/subscriptions.py), found by
address (an erasure) and by the digests that are due."""

from datetime import datetime

from shared.db.aggregates import AggregateStore, aggregate_indexes
from shared.db.indexes import IndexSpec

COLLECTION = "subscriptions"
INDEXES = aggregate_indexes(COLLECTION) + [
    IndexSpec(COLLECTION, (("state.email", 1),)),
    IndexSpec(COLLECTION, (("state.phone", 1),)),
    IndexSpec(COLLECTION, (("state.status", 1), ("state.next_digest_at", 1))),
]

class Subscriptions:
    def __init__(self, store: AggregateStore):
        self.store = store

    async def get(self, subscription_id: str) -> dict | None:
        doc = await self.store.get(subscription_id)
        return doc["state"] if doc else None

    async def due_for_digest(self, now: datetime, limit: int = 100) -> list[dict]:
        return [d["state"] async for d in self.store.find({"state.status": "confirmed", "state.next_digest_at": {"$lte": now}}, {"state": 1}, limit=limit)]

    async def of_address(self, field: str, value: str) -> list[dict]:
        return [d["state"] async for d in self.store.find({f"state.{field}": value}, {"state": 1})]
