"""Inserts that a unique ``_id`` makes idempotent: a document that exists already is left as it is.

The database's unique ``_id`` is the guard (safe on FerretDB under concurrency, unlike updates;
INFRASTRUCTURE.md), so a redelivery or a writer resumed after a crash inserts the same ids again
and only what is missing lands.
"""

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

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
