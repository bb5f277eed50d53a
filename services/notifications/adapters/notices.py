"""The debounced change notices' store: one document per session (domain/notices.py)."""

from datetime import datetime

from shared.db.aggregates import AggregateStore, aggregate_indexes
from shared.db.indexes import IndexSpec

COLLECTION = "change_notices"
INDEXES = aggregate_indexes(COLLECTION) + [IndexSpec(COLLECTION, (("state.status", 1), ("state.due_at", 1)))]


class Notices:
    def __init__(self, store: AggregateStore):
        self.store = store

    async def due(self, now: datetime) -> list[dict]:
        return [d["state"] async for d in self.store.find({"state.status": "pending", "state.due_at": {"$lte": now}}, {"state": 1}, limit=100)]
