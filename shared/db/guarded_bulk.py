"""Many aggregates' writes as one unordered bulk write, each guarded as if it were alone.

docs/decisions/0008-small-pools-timeouts-and-small-bulks.md has why reads go one ``find_one``
each rather than one ``$in``, and why a bulk stays small.
"""

import asyncio
from typing import Any

from pymongo import InsertOne, ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from shared.db.inserts import duplicates


async def read_each(collection: AsyncCollection, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The documents of ``ids``, one ``find_one`` each, side by side on the pool (FerretDB answers
    ``$in`` by scanning the collection; an ``_id`` equality uses its index)."""
    docs = await asyncio.gather(*(collection.find_one({"_id": i}) for i in ids))
    return {d["_id"]: d for d in docs if d is not None}


# An update holds a FerretDB connection per update until its command ends: replaces go at most
# this many to a bulk, so every service's bulks fit FerretDB's pool (decision 0008).
REPLACES_PER_BULK = 25

Writes = dict[str, tuple[InsertOne | ReplaceOne, dict[str, Any]]]


async def write_guarded(collection: AsyncCollection, writes: Writes) -> set[str]:
    """``writes`` (id → (the insert or version-guarded replace, the new document)) as unordered bulk
    writes — the inserts in one, the replaces ``REPLACES_PER_BULK`` at a time; returns the ids whose
    write did not land: an insert that met an existing ``_id``, a replace whose guard found
    another version."""
    inserts = {i: w for i, w in writes.items() if isinstance(w[0], InsertOne)}
    replaced = sorted(i for i in writes if i not in inserts)
    lost = await _bulk(collection, inserts)
    for n in range(0, len(replaced), REPLACES_PER_BULK):
        lost |= await _bulk(collection, {i: writes[i] for i in replaced[n : n + REPLACES_PER_BULK]})
    return lost


async def _bulk(collection: AsyncCollection, writes: Writes) -> set[str]:
    if not writes:
        return set()
    order = list(writes)
    try:
        result = await collection.bulk_write([op for op, _ in writes.values()], ordered=False)
    except BulkWriteError as e:
        lost = {order[n] for n in duplicates(e)}
        replaced = e.details.get("nMatched", 0)
    else:
        lost, replaced = set(), result.matched_count
    replaces = {i: new for i, (op, new) in writes.items() if isinstance(op, ReplaceOne)}
    if replaced < len(replaces):
        # A bulk result counts matches but does not say which: the database says which documents
        # are as written here.
        stored = await read_each(collection, sorted(replaces))
        lost |= {i for i, new in replaces.items() if stored.get(i) != new}
    return lost
