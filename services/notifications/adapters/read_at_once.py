"""What a batch of messages reads at once instead of once per message: opt-outs and contacts.

A message is sent only once its recipient is resolved (``recipients.resolve``): its opt-out and,
for a registrant, the contact copy. One ``find_one`` each made two of the five database calls of
every message of a fan-out, and on FerretDB a read by ``_id`` costs about what a write does
(``find_one`` 977/s against 1,080 upserts/s in the recorded run of docs/benchmarks.md). Here:

- ``OptOutsAtOnce``: a batch's opt-outs in one ``$in`` read. FerretDB answers ``$in`` by
  scanning the collection (~40 µs a document, measured), so this pays only while the opt-outs
  are few against the batch (``PER_MESSAGE`` each); past that the per-message reads are kept. The
  count that decides is refreshed now and then, as a count is a scan too. It only picks the
  strategy: both read the database, so an opt-out is never missed.
- ``SessionContacts``: a fan-out's contacts, read with one cursor over the session's contacts
  (their lifted ``session_id``, an equality FerretDB pushes down) as its pages of registrations
  need them. The two walks need not come in the same order — PostgreSQL may start a scan of a big
  table where another scan of it is (``synchronize_seqscans``), and a reminders' walk of the same
  session often is: the benchmark's pages then met none of theirs within 2,000 — so those read
  ahead wait here, only what a message needs, at most ``AHEAD`` of them (~20 MB); a contact not
  met by then is read by ``_id`` as before, so none is missed, only read the slow way. Sorting
  both walks by ``_id`` would do without, but FerretDB sorts in its own process: 5.7 s before a
  100,000-registrant session's first page, against 0.05 s.
"""

import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from shared.db.aggregates import AggregateStore

PER_MESSAGE = 10  # opt-outs scanned per message of the batch, at most, for one read to pay (~40 µs each against ~1 ms a read)
COUNT_EVERY_S = 60.0
AHEAD = 50_000  # contacts read ahead of the pages that need them, at most (~400 bytes each as kept here)
KEPT = ("email", "phone", "manage_url", "erased")  # what a message needs of a contact (recipients.resolve)


@dataclass
class Known:
    """What was read at once for a batch: ``resolve`` asks the database only for what is not here."""

    contacts: dict[str, dict] = field(default_factory=dict)  # registration id → contact copy (state)
    opted_out: set[str] | None = None  # recipient keys with an opt-out among the batch's; None: not read


class OptOutsAtOnce:
    def __init__(self, store: AggregateStore, count: Callable[[], Awaitable[int]], clock=time.monotonic):
        self.store = store
        self.counted = count  # an estimate of how many opt-outs there are
        self.clock = clock
        self.count: int | None = None
        self.next_count_at = 0.0

    async def among(self, keys: Iterable[str]) -> set[str] | None:
        """The keys with an opt-out, in one read; None where one read per message costs less."""
        wanted = sorted(set(keys))
        if not wanted or await self._count() > PER_MESSAGE * len(wanted):
            return None
        return {d["_id"] async for d in self.store.find({"_id": {"$in": wanted}}, {"_id": 1})}

    async def _count(self) -> int:
        now = self.clock()
        if self.count is None or now >= self.next_count_at:
            self.count = await self.counted()
            took = self.clock() - now
            # a count scans the collection on FerretDB: kept to about 1 % of the time however many there are
            self.next_count_at = self.clock() + max(COUNT_EVERY_S, 100 * took)
        return self.count


class SessionContacts:
    """One session's contact copies, read as a fan-out's pages ask for them (see the module's docs)."""

    def __init__(self, contacts: AggregateStore, session_id: str, ahead: int = AHEAD):
        self.cursor = contacts.find({"session_id": session_id}, {f"state.{k}": 1 for k in KEPT})
        self.ahead = ahead
        self.waiting: dict[str, tuple] = {}
        self.done = False

    async def take(self, registration_ids: Iterable[str]) -> dict[str, dict]:
        """The contacts of these registrations met so far (what a message needs of each), read on
        until all are met or ``ahead`` wait."""
        wanted = set(registration_ids)
        found = {rid: self.waiting.pop(rid) for rid in wanted & self.waiting.keys()}
        while not self.done and len(found) < len(wanted) and len(self.waiting) < self.ahead:
            try:
                doc = await anext(self.cursor)
            except StopAsyncIteration:
                self.done = True
                break
            state = doc.get("state") or {}
            kept = tuple(state.get(k) for k in KEPT)
            if doc["_id"] in wanted:
                found[doc["_id"]] = kept
            else:
                self.waiting[doc["_id"]] = kept
        return {rid: dict(zip(KEPT, kept, strict=True)) for rid, kept in found.items()}

    async def close(self) -> None:
        self.waiting.clear()
        await self.cursor.aclose()
