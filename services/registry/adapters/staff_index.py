"""What the staff's queries find initiatives by, held in memory by every replica (decision 0015).

FerretDB turns free text and every filter but a top-level equality into a scan of the documents,
so the review queue, the filtered list and search read thousands of whole initiatives per request
(0.6–1.2 s at 22,000; past the call timeout with a long ``q``). The index keeps, per initiative,
what those queries filter and order by — its lifted fields, the content's filtered fields, the
folded text ``search.matches_text`` searches, the queue's marks — and what their answers show: the
state without its history and review steps, compressed. The queries read no document.

Equal on every replica, right after this replica's own writes:

- at start, ``load`` reads every initiative (without its history), bucket by bucket, in the
  background: the queries ask the database the old way (``search``) until it is ``loaded``;
- this replica's writes go through ``IndexedStore``, which puts each written document at once
  (a curator's review shows in the queue the curator asks for next);
- every other replica's writes come as events on registry.initiatives.v1, read by every replica
  (``heard``): a version not known yet is read again from the database (the event leaves out the
  queue's marks and the history), a known or older one changes nothing: the newest version wins.
"""

import asyncio
import bisect
import heapq
import json
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from pymongo.errors import ConnectionFailure, ExecutionTimeout

from services.registry.adapters import search
from services.registry.domain.review import stamped_revision
from shared.db.aggregates import AggregateStore, Changed
from shared.envelope import Envelope

# Filters' attributes answered by the content (the lifted ones are the entry's own fields).
_CONTENT = {"theme": ("themes",), "organizer_kind": ("organizer", "kind"), "district": ("districts",),
            "target_group": ("target_groups",), "language": ("languages",), "origin": ("origin",)}
# Left out of what an entry keeps of the state: no answer of these queries shows them (the history
# holds every revision's content, most of a document); the stamped revision is kept on its own.
_UNSHOWN = ("history", "reviews", "withdrawn_revision")
_PROJECTION = {"outbox": 0, "state.history": 0}
# At start: buckets read side by side (a full scan's batches came slower than the call timeout at
# 50,000 on a busy FerretDB; a bucket is a backed equality); a bucket that fails is read again
# after a pause that doubles up to LOAD_PAUSE_MAX_S.
LOAD_WAVE = 4
LOAD_PAUSE_MAX_S = 30.0
log = structlog.get_logger(__name__)


@dataclass(slots=True, frozen=True)
class Entry:
    """One initiative as the staff's queries see it."""

    id: str
    version: int  # the state's version: the newest wins
    status: str
    source: str
    edition: str | None
    content: tuple  # the values of _CONTENT's fields, in its order (None: absent)
    period: tuple  # (start, end) as stored, ISO strings or None
    changed: bool  # ``search.CHANGED``
    late: bool
    queued: tuple  # the queue's order: (queued_at or received_at, id)
    text: str  # ``search.folded_text``
    stamped: int | None  # ``stamped_revision``
    shown: bytes  # the state without _UNSHOWN, as compressed JSON: what the answers show

    def state(self) -> dict:
        """The state as the answers show it (without its history and review steps)."""
        return json.loads(zlib.decompress(self.shown))


def _at(value: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return value


def entry_of(doc: Mapping[str, Any]) -> Entry:
    """The entry of a stored document (with its lifted fields, as the store writes them)."""
    state = doc["state"]
    content = state.get("content") or {}
    period = content.get("period") or {}
    return Entry(doc["_id"], doc["state_version"], doc["status"], doc["source"], doc.get("edition"),
                 tuple(_at(content, path) for path in _CONTENT.values()), (period.get("start"), period.get("end")),
                 bool(doc.get(search.CHANGED)), bool(state.get("late")),
                 (state.get("queued_at") or state["received_at"], doc["_id"]), search.folded_text(state), stamped_revision(state),
                 zlib.compress(json.dumps({k: v for k, v in state.items() if k not in _UNSHOWN}, separators=(",", ":"), default=_iso).encode(), 1))


def _iso(value: Any) -> str:
    return value.isoformat()  # a datetime in a state (they are ISO strings as the decisions write them)


def _equal(stored: Any, wanted: str) -> bool:
    """A query's equality as the database answers it: the value, or an array holding it."""
    return stored == wanted or (isinstance(stored, list) and wanted in stored)


def _before_or_on(stored: Any, bound: str, after: bool) -> bool:
    return isinstance(stored, str) and (stored >= bound if after else stored <= bound)


class Matcher:
    """``search.query_of`` and ``search.matches_text`` of one ``Filters``, asked of entries."""

    def __init__(self, f: search.Filters):
        self.lifted = [(name, getattr(v, "value", v)) for name in ("status", "source", "edition") if (v := getattr(f, name))]
        self.content = [(i, getattr(v, "value", v)) for i, name in enumerate(_CONTENT) if (v := getattr(f, name))]
        self.period_to = f.period_to.isoformat() if f.period_to else None
        self.period_from = f.period_from.isoformat() if f.period_from else None
        self.words = list(dict.fromkeys(search.fold(f.text).split())) if f.text else []  # each word once

    def __call__(self, e: Entry) -> bool:
        return (all(getattr(e, name) == v for name, v in self.lifted)
                and all(_equal(e.content[i], v) for i, v in self.content)
                and (self.period_to is None or _before_or_on(e.period[0], self.period_to, False))
                and (self.period_from is None or _before_or_on(e.period[1], self.period_from, True))
                and all(word in e.text for word in self.words))


class StaffIndex:
    """Every initiative's entry of ``store``, in the list's order ((bucket, id)) and by status."""

    def __init__(self, store: AggregateStore) -> None:
        self._store = store
        self.loaded = False  # until then the queries ask the database (``staff_queries``)
        self._loading: asyncio.Task | None = None
        self._heard: dict[str, int] = {}  # while loading: the newest version heard of each, read after
        self._writing: dict[str, int] = {}  # ids this replica is writing: how many writes of each
        self._heard_writing: dict[str, int] = {}  # versions heard of them meanwhile, read after if newer
        self._entries: dict[str, Entry] = {}
        self._order: list[tuple[int, str]] = []
        self._queues: dict[str, list[tuple]] = {}  # by status: its entries' ``queued`` keys, in order

    def __len__(self) -> int:
        return len(self._entries)

    def version_of(self, initiative_id: str) -> int:
        e = self._entries.get(initiative_id)
        return e.version if e else 0

    def put(self, doc: Mapping[str, Any] | None) -> None:
        """A stored document into the index, unless a newer version of it is there already."""
        if doc is None or doc["state_version"] < self.version_of(doc["_id"]):
            return
        new, old = entry_of(doc), self._entries.get(doc["_id"])
        if old is None:
            bisect.insort(self._order, (search.bucket_of(new.id), new.id))
        else:
            self._unqueue(old)
        bisect.insort(self._queues.setdefault(new.status, []), new.queued)
        self._entries[new.id] = new

    def forget(self, initiative_id: str) -> None:
        old = self._entries.pop(initiative_id, None)
        if old is not None:
            self._unqueue(old)
            key = (search.bucket_of(initiative_id), initiative_id)
            del self._order[bisect.bisect_left(self._order, key)]

    def _unqueue(self, old: Entry) -> None:
        keys = self._queues[old.status]
        del keys[bisect.bisect_left(keys, old.queued)]

    def get(self, initiative_id: str) -> Entry | None:
        return self._entries.get(initiative_id)

    def walk(self, bucket: int, after: str | None) -> Iterator[Entry]:
        """Every entry in the list's order, from ``bucket`` on, after ``after`` in it."""
        start = bisect.bisect_right(self._order, (bucket, after)) if after else bisect.bisect_left(self._order, (bucket, ""))
        for i in range(start, len(self._order)):
            yield self._entries[self._order[i][1]]

    def waiting(self, statuses: list[str]) -> Iterator[Entry]:
        """The entries of ``statuses``, oldest in the queue first: (queued_at or received_at, id)."""
        for _, initiative_id in heapq.merge(*(self._queues.get(s, []) for s in dict.fromkeys(statuses))):
            yield self._entries[initiative_id]

    async def start_loading(self) -> None:
        """At start (``runtime.on_start``): ``load`` in the background, so the service serves at once."""
        self._loading = asyncio.create_task(self.load(), name="staff-index-load")

    async def stop_loading(self) -> None:
        if self._loading is not None:
            self._loading.cancel()

    async def load(self) -> None:
        """Every initiative (without its history), bucket by bucket; then what was heard meanwhile
        and is newer than what was read; then ``loaded``. This replica's writes are put as they come."""
        started = asyncio.get_running_loop().time()
        empty = not [d async for d in self._store.find({}, {"_id": 1}, limit=1)]  # a new registry: no bucket to read
        for wave in range(0, 0 if empty else search.BUCKETS, LOAD_WAVE):
            found = await asyncio.gather(*(self._bucket(b) for b in range(wave, min(wave + LOAD_WAVE, search.BUCKETS))))
            for docs in found:
                for doc in docs:
                    self.put(doc)
        while self._heard:  # more may be heard while these are read
            heard, self._heard = self._heard, {}
            for initiative_id, version in heard.items():
                try:
                    await self._newer(initiative_id, version)
                except (ConnectionFailure, ExecutionTimeout):  # a busy engine: read in the next round
                    self._heard[initiative_id] = max(version, self._heard.get(initiative_id, 0))
                    await asyncio.sleep(1.0)
        self.loaded = True
        log.info("staff_index_loaded", initiatives=len(self), seconds=round(asyncio.get_running_loop().time() - started, 1))

    async def _bucket(self, bucket: int) -> list[dict]:
        pause = 1.0
        while True:
            try:
                return [d async for d in self._store.find({search.BUCKET: bucket}, _PROJECTION)]
            except (ConnectionFailure, ExecutionTimeout) as e:  # a busy or absent engine: that bucket again
                log.warning("staff_index_bucket_again", bucket=bucket, after_s=pause, error=type(e).__name__)
                await asyncio.sleep(pause)
                pause = min(pause * 2, LOAD_PAUSE_MAX_S)

    async def heard(self, event: Envelope, data: Any) -> None:
        """An initiative's event on registry.initiatives.v1 (the every-replica subscription): another
        replica's change, or this one's, known already. A newer version is read again — after the
        load while it runs (a new replica's group hears the whole topic first: one read per
        initiative at most, and none for what the load read already)."""
        if not self.loaded:
            self._heard[data.initiative_id] = max(data.version, self._heard.get(data.initiative_id, 0))
            return
        if data.initiative_id in self._writing:  # its writer puts what it wrote (its event may come first)
            self._heard_writing[data.initiative_id] = max(data.version, self._heard_writing.get(data.initiative_id, 0))
            return
        await self._newer(data.initiative_id, data.version)

    def writing(self, ids: list[str]) -> None:
        for i in ids:
            self._writing[i] = self._writing.get(i, 0) + 1

    async def written(self, ids: list[str]) -> None:
        """After this replica's write of ``ids`` (put already): a version heard meanwhile that is
        still newer (another replica's, where this write changed nothing) is read."""
        for i in ids:
            self._writing[i] -= 1
            if not self._writing[i]:
                del self._writing[i]
                if (version := self._heard_writing.pop(i, 0)) > self.version_of(i):
                    await self._newer(i, version)

    async def _newer(self, initiative_id: str, version: int) -> None:
        if version > self.version_of(initiative_id):
            doc = await self._store.get(initiative_id)
            if doc is None:
                self.forget(initiative_id)
            self.put(doc)


class IndexedStore:
    """The initiatives' store, putting every document it writes into ``index`` as it is written
    (read-your-writes); everything else is the store's own."""

    def __init__(self, store: AggregateStore, index: StaffIndex):
        self._store = store
        self._index = index

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def change(self, decides, **options) -> dict[str, Changed]:
        ids = list(decides)
        self._index.writing(ids)
        try:
            changed = await self._store.change(decides, **options)
            for c in changed.values():
                self._index.put(c.document)
        finally:
            await self._index.written(ids)
        return changed

    async def delete(self, ids) -> set[str]:
        deleted = await self._store.delete(ids)
        for i in deleted:
            self._index.forget(i)
        return deleted

