"""Once per database: documents written before a lifted top-level field existed get it.

A store's ``lift`` derives top-level fields from the state on every write (what a query finds by,
since FerretDB pushes down only equality on top-level fields). Documents written before a field
was lifted lack it and would never be found by it: the first start after the change writes each
of them again, through the store (its lock and version guard), and leaves a mark in the
database's ``migrations`` collection so later starts skip the scan.
"""

import asyncio
from collections.abc import Callable
from typing import Any

import structlog

from shared.db.aggregates import AggregateStore, Decide, Decision
from shared.db.inserts import insert_missing

log = structlog.get_logger(__name__)
CHUNK = 100  # documents to a bulk write: FerretDB is kept to small bulk writes (docs/decisions/0008-small-pools-timeouts-and-small-bulks.md)
SIDE_BY_SIDE = 4


def rewrite(current: dict[str, Any] | None, _v: int) -> Decision | None:
    """The same state written again, so that its top-level fields are derived."""
    return Decision(current, rewrite=True) if current is not None else None


async def relift_once(store: AggregateStore, mark: str, projection: dict[str, int], legacy: Callable[[dict[str, Any]], bool],
                      decide: Decide = rewrite) -> int:
    """Write again, with ``decide``, each document ``legacy`` picks (it sees the ``projection`` of
    each); returns how many. One read of every document with no filter (FerretDB would evaluate a
    filter in its own process, and a batch could then scan the whole table under one timeout),
    then keyed writes of the ones found, ``CHUNK`` to a bulk write (``change_many``: the same
    locks and version guard as one by one, a round trip per chunk instead of per document)."""
    marks = store.collection.database["migrations"]
    if await marks.find_one({"_id": mark}) is not None:
        return 0
    cursor = store.collection.find({}, projection, batch_size=1000)
    ids = [d["_id"] async for d in cursor if legacy(d)]
    if ids:  # ~3 ms a document on FerretDB: a start that takes a while says why
        log.info("relifting", collection=store.collection.name, mark=mark, documents=len(ids))
    chunks = [ids[n:n + CHUNK] for n in range(0, len(ids), CHUNK)]
    for n in range(0, len(chunks), SIDE_BY_SIDE):
        # A bulk write runs on one connection, one document after another: a few side by side
        # keep both engines' processes busy.
        await asyncio.gather(*(store.change_many(dict.fromkeys(chunk, decide)) for chunk in chunks[n:n + SIDE_BY_SIDE]))
    await insert_missing(marks, [{"_id": mark, "relifted": len(ids)}])  # another replica may have finished first
    return len(ids)
