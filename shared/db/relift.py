"""Once per database: documents written before a lifted top-level field existed get it.

A store's ``lift`` derives top-level fields from the state on every write (what a query finds by,
since FerretDB pushes down only equality on top-level fields). Documents written before a field
was lifted lack it and would never be found by it: the first start after the change writes each
of them again, through the store (its lock and version guard), and leaves a mark in the
database's ``migrations`` collection so later starts skip the scan.
"""

from collections.abc import Callable
from typing import Any

from shared.db.aggregates import AggregateStore, Decide, Decision
from shared.db.inserts import insert_missing


def rewrite(current: dict[str, Any] | None, _v: int) -> Decision | None:
    """The same state written again, so that its top-level fields are derived."""
    return Decision(current) if current is not None else None


async def relift_once(store: AggregateStore, mark: str, projection: dict[str, int], legacy: Callable[[dict[str, Any]], bool],
                      decide: Decide = rewrite) -> int:
    """Write again, with ``decide``, each document ``legacy`` picks (it sees the ``projection`` of
    each); returns how many. One read of every document with no filter (FerretDB would evaluate a
    filter in its own process, and a batch could then scan the whole table under one timeout),
    then a keyed write for each one found."""
    marks = store.collection.database["migrations"]
    if await marks.find_one({"_id": mark}) is not None:
        return 0
    cursor = store.collection.find({}, projection, batch_size=1000)
    ids = [d["_id"] async for d in cursor if legacy(d)]
    for i in ids:
        await store.change(i, decide)
    await insert_missing(marks, [{"_id": mark, "relifted": len(ids)}])  # another replica may have finished first
    return len(ids)
