"""When a message wants the timer, as top-level keys FerretDB can find. Pure but for ``Walk``.

The timer asks "scheduled and due by now" and "sending since before the lease". As filters on
``state.status`` and ``state.due_at`` FerretDB would evaluate them in its own process over every
message, past the database timeout after a large fan-out; it pushes down only equality on a
top-level field, which a GIN index then serves (docs/decisions/0004-lifted-top-level-fields.md). So each message
waiting for the timer carries ``wake``: its queue and the time it waits for, as the keys of the
aligned time buckets holding that time, from 64 days down to one second (``scheduled|h:490104`` is
the hour 490104 since the epoch). The timer covers "before now" with the fewest whole buckets
(``cover``) and asks for each by equality; a bucket found empty is not asked again (``Walk``), so a
tick costs a query or two however many messages wait. A finished message has no ``wake``, and is in
no queue.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from shared.db.aggregates import AggregateStore

# Bucket sizes in seconds, largest first; each divides the one before, so a walk from any second
# climbs to large buckets within a few steps.
SIZES = ((64 * 86400, "64d"), (86400, "d"), (3600, "h"), (600, "10m"), (60, "m"), (10, "10s"), (1, "s"))
FIELD = "wake"


def keys(queue: str, at: datetime) -> list[str]:
    second = int(_utc(at).timestamp())
    return [f"{queue}|{name}:{second // size}" for size, name in SIZES]


def lift(state: dict) -> dict:
    """A message's top-level ``wake`` (or none): written with every change of its state."""
    if state.get("status") == "scheduled":
        return {FIELD: keys("scheduled", state["due_at"])}
    if state.get("status") == "sending":
        # a mark from before the time was kept: its last change stands in (reclaimed at once)
        return {FIELD: keys("sending", state.get("sending_since") or state.get("updated_at") or state["created_at"])}
    return {}


def cover(low: int, high: int) -> Iterator[tuple[str, int]]:
    """The buckets that exactly cover the seconds [low, high), in order, as (key, end)."""
    t = low
    while t < high:
        for size, name in SIZES:
            if t % size == 0 and t + size <= high:
                yield f"{name}:{t // size}", t + size
                t += size
                break


class Walk:
    """The pages holding one queue's messages waiting for a time up to ``until``, bucket by bucket
    (a page in the current second may hold none due yet: the caller looks at its items).

    ``low``: every bucket before it was found empty. A write rarely puts a message into a past
    bucket (a new due time is never before its writer's clock), but it can: a write that lands after
    the walk passed the second its writer read the clock (a slow database call, a busy event loop).
    So every ``REWALK`` the last ``MARGIN`` is walked again (some 50 queries at most). At the first
    walk the last ``LOOKBACK`` is walked: messages expire within 30 days, and a year covers a long
    outage in at most ~250 queries, once."""

    LOOKBACK = timedelta(days=400)
    MARGIN = timedelta(hours=1)
    REWALK = timedelta(minutes=1)

    def __init__(self, store: AggregateStore, queue: str):
        self.store, self.queue = store, queue
        self.low: int | None = None
        self.rewalk_at: datetime = datetime.min.replace(tzinfo=UTC)

    async def waiting(self, until: datetime, limit: int) -> list[dict]:
        if self.low is None:
            self.low = int((until - self.LOOKBACK).timestamp())
        elif until >= self.rewalk_at:
            self.low = min(self.low, int((until - self.MARGIN).timestamp()))
        if until >= self.rewalk_at:
            self.rewalk_at = until + self.REWALK
        whole = int(until.timestamp())  # the seconds before this one are wholly past
        found: list[dict] = []
        empty_so_far = True
        for key, end in [*cover(self.low, whole), (f"s:{whole}", None)]:
            docs = [d async for d in self.store.find({FIELD: f"{self.queue}|{key}"}, {"state": 1}, limit=limit - len(found))]
            if end is not None and not docs and empty_so_far:
                self.low = end
            empty_so_far = empty_so_far and not docs
            found += [d["state"] for d in docs]
            if len(found) >= limit:
                break
        return found


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # a client without tz_aware reads UTC as naive
