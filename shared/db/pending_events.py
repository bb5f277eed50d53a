"""The outbox side of a store: what the relay (``outbox.py``) may do with its documents, and no more.

A store tells the relay of each write that added events (``watch``), in the order of each
aggregate's writes (the calls are made under the aggregate's lock). The relay publishes them and
marks them published (``published``); its sweep finds outboxes a crash left behind (``pending``).
"""

from collections.abc import Callable
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from shared.db.keyed_lock import KeyedLocks
from shared.db.known import KnownDocuments

# Told (aggregate id, the document as just written) after a write that left events in its outbox.
OnOutbox = Callable[[str, dict[str, Any]], None]


class MarkingLost(Exception):
    """Another writer changed the document between the relay's read and its marking."""


class PendingEvents:
    def __init__(self, collection: AsyncCollection, locks: KeyedLocks, known: KnownDocuments):
        self._collection = collection
        self._locks = locks
        self._known = known
        self._on_outbox: OnOutbox | None = None

    def watch(self, on_outbox: OnOutbox) -> None:
        """From now on ``on_outbox`` is told of every write that added events."""
        self._on_outbox = on_outbox

    def written(self, aggregate_id: str, doc: dict[str, Any]) -> None:
        """The store's call after a write that added events (under the aggregate's lock)."""
        if self._on_outbox is not None:
            self._on_outbox(aggregate_id, doc)

    async def pending(self, limit: int = 100) -> list[dict[str, Any]]:
        """Documents whose outbox holds events (``_id``, ``version``, ``outbox``)."""
        cursor = self._collection.find({"outbox_pending": True}, {"outbox": 1, "version": 1}).limit(limit)
        return await cursor.to_list(None)

    async def published(self, aggregate_id: str, event_ids: set[str], version: int) -> bool:
        """Remove published events from the outbox, under the aggregate's lock.

        ``version``: the version whose whole outbox ``event_ids`` are. If the document is still at
        that version its outbox is emptied without reading it again (True); otherwise it changed
        since, and the events are removed from what it holds now (False). Raises ``MarkingLost``
        when another process wrote between that read and the marking (the relay tries again).
        """
        async with self._locks.hold(aggregate_id):
            marked = {"outbox": [], "outbox_pending": False, "version": version + 1}
            if (await self._collection.update_one({"_id": aggregate_id, "version": version}, {"$set": marked})).matched_count == 1:
                known = self._known.recall(aggregate_id)
                if known is not None and known["version"] == version:
                    self._known.remember({**known, **marked})
                else:
                    self._known.forget(aggregate_id)
                return True
            # Written again since the relay took it (a page changed by a receipt, say): the copy
            # this store wrote is the newest where it alone writes; elsewhere its guard misses
            # and the document is read.
            for doc in (self._known.recall(aggregate_id), None):
                doc = doc or await self._collection.find_one({"_id": aggregate_id})
                if doc is None:
                    self._known.forget(aggregate_id)
                    return False
                outbox = [p for p in doc["outbox"] if p["event"]["id"] not in event_ids]
                if len(outbox) == len(doc["outbox"]):
                    self._known.remember(doc)
                    return False
                marked = {"outbox": outbox, "outbox_pending": bool(outbox), "version": doc["version"] + 1}
                if (await self._collection.update_one({"_id": aggregate_id, "version": doc["version"]}, {"$set": marked})).matched_count == 1:
                    self._known.remember({**doc, **marked})
                    return False
                self._known.forget(aggregate_id)
            raise MarkingLost(aggregate_id)
