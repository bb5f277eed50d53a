"""Inserts that a unique ``_id`` makes idempotent: a document that exists already is left as it is.

The database's unique ``_id`` is the guard (safe on FerretDB under concurrency, unlike updates:
docs/decisions/0001-one-writer-per-document.md), so a redelivery or a writer resumed after a
crash inserts the same ids again and only what is missing lands.
"""

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from shared.group_commit import GroupCommit

DUPLICATE_KEY = 11000


def duplicates(e: BulkWriteError) -> list[int]:
    """The positions of an unordered bulk write's writes refused as a duplicate ``_id``; any other
    refusal is raised."""
    errors = e.details.get("writeErrors", [])
    if any(err.get("code") != DUPLICATE_KEY for err in errors):
        raise e
    return [err["index"] for err in errors]


async def insert_missing(collection: AsyncCollection, docs: list[dict[str, Any]]) -> set[Any]:
    """One unordered ``insert_many``; returns the ids that existed already (and were left)."""
    if not docs:
        return set()
    try:
        await collection.insert_many(docs, ordered=False)
    except BulkWriteError as e:
        return {docs[n]["_id"] for n in duplicates(e)}
    return set()


class InsertTogether:
    """Inserts into one collection from writers running side by side, made as one ``insert_many``.

    Group commit (``shared/group_commit.py``), for bursts of new documents written one per event
    by handlers running concurrently (the registry's new initiatives, each follower's first copy
    of them, a rush's registrations as notifications and reporting copy them): FerretDB takes a document of an
    ``insert_many`` for a fraction of what it takes for an ``insert_one``, and each call costs the
    client a round trip (docs/decisions/0007-group-commits-and-grouped-inserts.md).

    ``insert(doc)`` returns True when the document was inserted and False when its ``_id`` existed
    already (left as it is); any other failure of the group is raised to each of its writers.
    """

    def __init__(self, collection: AsyncCollection, max_group: int = 100):
        self._collection = collection
        # bulk writes stay small: FerretDB can hang on large ones
        # (docs/decisions/0008-small-pools-timeouts-and-small-bulks.md)
        self._groups: GroupCommit[dict[str, Any], bool] = GroupCommit(self._insert_group, max_group, "insert-together")

    async def insert(self, doc: dict[str, Any]) -> bool:
        return await self._groups(doc)

    async def _insert_group(self, docs: list[dict[str, Any]]) -> list[bool]:
        refused = await insert_missing(self._collection, docs)
        return [doc["_id"] not in refused for doc in docs]
