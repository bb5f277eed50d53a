"""Keeping a service's own copy of another service's aggregate, from its events.

Events carry the aggregate's version; the copy keeps the newest, so duplicates and reordered
deliveries change nothing and a replay from offset 0 ends in the same state.
"""

from shared.db.aggregates import AggregateStore, change_one
from shared.decisions import Decision, NoChange


async def keep_newest(store: AggregateStore, aggregate_id: str, version: int, copy: dict) -> dict | None:
    """Store ``copy`` (which must hold ``version``) unless a newer one is there; returns it if stored."""

    def decide(current: dict | None, _state_version: int) -> Decision | NoChange:
        if current is not None and current["version"] >= version:
            return NoChange()
        return Decision({**copy, "version": version})

    # Version 1 is the aggregate's first: almost always no copy yet, so written without a read.
    return (await change_one(store, aggregate_id, decide, new=version == 1)).state
