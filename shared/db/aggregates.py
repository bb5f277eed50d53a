"""The storage port: the one way every write changes an aggregate (docs/architecture.md, "Storage").

``AggregateStore.change({id: decide, …})`` serialises all writers of each document — REST
handlers, consumers, the outbox relay, timers — behind a keyed lock, reads the document, lets a
pure function decide the new state and the events to publish, and writes both in one
single-document write guarded by the version it read. A single change is a batch of one
(``change_one``). The lock makes this correct on FerretDB, which has no single-document
atomicity under concurrency; the version guard makes the same code correct across replicas on
MongoDB, where a lost race is retried from a fresh read.

How it saves round trips is private to it: documents it last wrote are recalled rather than read
again (``known.py``), new documents from concurrent writers go in one ``insert_many``
(``inserts.py``), a batch is one unordered bulk write (``guarded_bulk.py``), and the fields
queries find by are lifted to the top level with every write.

Document layout: ``{_id, version, state_version, state, outbox: [{topic, event}], outbox_pending,
write}`` plus the lifted fields (``write`` names the write that made it); ``version`` guards every write (the relay's too), ``state_version``
counts changes of the state and is what decisions and events see.
"""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from pymongo import InsertOne, ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection

from shared.db.guarded_bulk import read_each, write_guarded
from shared.db.indexes import IndexSpec
from shared.db.inserts import InsertTogether
from shared.db.keyed_lock import KeyedLock, KeyedLocks
from shared.db.known import KnownDocuments
from shared.db.pending_events import PendingEvents
from shared.decisions import Decide, Decision, NoChange

log = structlog.get_logger(__name__)
# Top-level fields derived from a state, written with it in the same single-document write: what a
# query must find by, since FerretDB pushes down only equality on top-level fields.
Lift = Callable[[dict[str, Any]], dict[str, Any]]
ATTEMPTS = 5  # a change lost to another replica is decided again from a fresh read this often
# Publishes outbox entries ({topic, event, key}) and returns once the broker has them all.
PublishFirst = Callable[[list[dict[str, Any]]], Awaitable[None]]


class ConcurrentChange(Exception):
    """Another writer (another replica, on MongoDB) changed the document first, every attempt."""


@dataclass(frozen=True)
class Changed:
    """What one id's decision did: the document as written (None: nothing written) and the
    decision's outcome."""

    document: dict[str, Any] | None
    outcome: Any = None

    @property
    def written(self) -> bool:
        return self.document is not None

    @property
    def state(self) -> dict[str, Any] | None:
        return self.document["state"] if self.document is not None else None


def stored_document(aggregate_id: str, state: dict[str, Any], outbox: list[dict] | None = None, lift: Lift | None = None,
                    version: int = 1, state_version: int = 1) -> dict[str, Any]:
    """The stored document of a state, as every write of a store writes it (a first version by default)."""
    outbox = outbox or []
    return {**(lift(state) if lift else {}), "_id": aggregate_id, "version": version, "state_version": state_version,
            "state": state, "outbox": outbox, "outbox_pending": bool(outbox)}


def aggregate_indexes(collection: str) -> list[IndexSpec]:
    return [IndexSpec(collection, (("_id", 1),)), IndexSpec(collection, (("outbox_pending", 1),))]


class AggregateStore:
    """The aggregates of one collection.

    ``lift(state)``: top-level fields written with every write (and dropped when it no longer
    returns them). ``own=True``: only this process writes these documents (a copy of another
    service's aggregate kept by this process's consumers), so ``get`` may answer from what this
    store last wrote. ``locks``: the process's keyed lock, shared by its stores.
    """

    def __init__(self, collection: AsyncCollection, locks: KeyedLocks | None = None, *, lift: Lift | None = None, own: bool = False):
        self._collection = collection
        self._locks = locks if locks is not None else KeyedLock()  # an empty KeyedLock is falsy (len 0)
        self._lift = lift
        # Locks that hold across processes (write leases) mean other replicas write these documents
        # too: a document this store wrote may be outdated, so it answers no read and a decision
        # that changes nothing on it is made again on a read (a write on it meets the guard).
        self._shared = getattr(self._locks, "across_processes", False)
        self._own = own and not self._shared
        self._known = KnownDocuments(collection.codec_options)
        self._inserts = InsertTogether(collection)
        self.outbox = PendingEvents(collection, self._locks, self._known)

    @property
    def name(self) -> str:
        return self._collection.name

    async def get(self, aggregate_id: str) -> dict[str, Any] | None:
        """The stored document, or None. With ``own``, as this store last wrote or read it."""
        if not self._own:
            return await self._collection.find_one({"_id": aggregate_id})
        doc = self._known.recall(aggregate_id)
        if doc is not None:
            return doc
        read = await self._collection.find_one({"_id": aggregate_id})
        doc = self._known.newest(aggregate_id, read)  # one written here while the read was under way is newer
        if doc is read and doc is not None:
            self._known.remember(doc)
        return doc

    async def find(self, filter: dict[str, Any], projection: dict[str, Any] | None = None, limit: int = 0,
                   sort: list[tuple[str, int]] | None = None) -> AsyncIterator[dict[str, Any]]:
        """The stored documents matching ``filter`` (read only). Filter on ``_id`` or lifted
        top-level fields: FerretDB evaluates any other filter over every document."""
        cursor = self._collection.find(filter, projection, limit=limit, sort=sort)
        async for doc in cursor:
            yield doc

    async def change(self, decides: Mapping[str, Decide], *, new: bool = False, publish_first: PublishFirst | None = None) -> dict[str, Changed]:
        """Apply each id's ``decide`` to its current state, under that id's lock; returns what each did.

        ``decide(state or None, state_version)`` is pure and returns a ``Decision`` (written: the
        state, its events appended to the outbox) or ``NoChange``/None (nothing written). Many ids:
        their reads side by side, one bulk write; an id whose guard finds another writer first is
        done again alone from a fresh read, so ``decide`` may be asked more than once.

        ``new=True``: the caller expects no documents yet (a first revision, a page of new
        messages): they are inserted without reading first. The unique ``_id`` refuses an insert
        where a document exists after all (a redelivery), and that id is decided again on what
        is stored.

        ``publish_first``: the decisions' events are published with it, under the locks, before
        the documents are written, instead of joining their outboxes — so a document is written
        once, not again by the relay's marking; where the broker does not take them, they join
        the outboxes as usual. Only for decisions the caller makes again until their state is
        written (a message ``sending`` until its outcome is recorded): a crash or a failed write
        between the two repeats them, and their events go out again with the same ids, which
        consumers deduplicate on.
        """
        ids = sorted(decides)
        if len(ids) == 1:
            async with self._locks.hold(ids[0]):
                return {ids[0]: await self._change_alone(ids[0], decides[ids[0]], new, publish_first)}
        async with self._locks.hold_all(ids):
            found = {i: d for i in ids if (d := self._known.recall(i)) is not None}
            recalled = set(found) if self._shared else set()
            if not new:
                found.update(await read_each(self._collection, [i for i in ids if i not in found]))
            return await self._change_found(ids, found, decides, publish_first, recalled)

    async def delete(self, ids: Iterable[str]) -> set[str]:
        """Delete aggregates (an erasure) under their locks, events not yet published with them.
        Returns the ids that existed."""
        ids = sorted(set(ids))
        deleted = set()
        async with self._locks.hold_all(ids):
            for i in ids:
                self._known.forget(i)
                if (await self._collection.delete_one({"_id": i})).deleted_count == 1:
                    deleted.add(i)
        return deleted

    # -- private strategies ---------------------------------------------------------------------

    def _next(self, aggregate_id: str, doc: dict[str, Any] | None, decide: Decide,
              first: bool = False) -> tuple[dict[str, Any] | None, Any, list[dict[str, Any]]]:
        """The document ``decide`` makes of ``doc`` (None: no change), the decision's outcome, and
        (``first``) its events to publish before the write, keyed, instead of into the outbox."""
        decision = decide(doc["state"] if doc else None, doc["state_version"] if doc else 0)
        if not isinstance(decision, Decision):
            return None, decision.outcome if isinstance(decision, NoChange) else None, []
        entries = [p.entry() for p in decision.events]
        outbox = (doc["outbox"] if doc else []) + ([] if first else entries)
        new = stored_document(aggregate_id, decision.state, outbox, self._lift,
                              version=(doc["version"] if doc else 0) + 1, state_version=(doc["state_version"] if doc else 0) + 1)
        # Which write this is: two replicas deciding the same change of the same version write equal
        # documents, and a bulk write that cannot say which replace landed compares what is stored.
        new["write"] = uuid.uuid4().hex[:16]
        return new, decision.outcome, [{"key": aggregate_id, **e} for e in entries] if first else []

    async def _change_alone(self, aggregate_id: str, decide: Decide, new: bool, publish_first: PublishFirst | None = None) -> Changed:
        if new and self._known.recall(aggregate_id) is None:
            with contextlib.suppress(ConcurrentChange):  # it exists: decided again below on what is stored
                return await self._change_once(aggregate_id, decide, publish_first, read=False)
        for attempt in range(ATTEMPTS):
            try:
                return await self._change_once(aggregate_id, decide, publish_first)
            except ConcurrentChange:
                if attempt == ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.01 * 2**attempt)
        raise AssertionError("unreachable")

    async def _change_once(self, aggregate_id: str, decide: Decide, publish_first: PublishFirst | None = None, read: bool = True) -> Changed:
        """One read-decide-write; ``read=False`` decides on "no document" and inserts."""
        recalled = self._known.recall(aggregate_id) if read else None
        doc = (recalled or await self._collection.find_one({"_id": aggregate_id})) if read else None
        new, outcome, first = self._next(aggregate_id, doc, decide, publish_first is not None)
        if new is None:
            if recalled is not None and self._shared:
                self._known.forget(aggregate_id)
                return await self._change_once(aggregate_id, decide, publish_first)
            return Changed(None, outcome)
        if first and not await _published_first(publish_first, first):
            new = _with_outbox(new, first)
        if doc is None:
            if not await self._inserts.insert(new):
                raise ConcurrentChange(aggregate_id)
        else:
            result = await self._collection.replace_one({"_id": aggregate_id, "version": doc["version"]}, new)
            if result.matched_count != 1:
                self._known.forget(aggregate_id)  # changed elsewhere: the next attempt reads it
                raise ConcurrentChange(aggregate_id)
        self._written(aggregate_id, doc, new)
        return Changed(new, outcome)

    async def _change_found(self, ids: list[str], found: dict[str, dict[str, Any]], decides: Mapping[str, Decide],
                            publish_first: PublishFirst | None = None, recalled: set[str] = frozenset()) -> dict[str, Changed]:
        """A batch's decisions on the documents ``found`` (the rest are new), one bulk write; an id
        in ``recalled`` whose decision changed nothing is decided again alone on a read."""
        changed: dict[str, Changed] = {}
        writes: dict[str, tuple[InsertOne | ReplaceOne, dict[str, Any]]] = {}
        first: dict[str, list[dict[str, Any]]] = {}
        made: dict[str, dict[str, Any]] = {}
        for i in ids:
            new, outcome, first[i] = self._next(i, found.get(i), decides[i], publish_first is not None)
            if new is not None:
                made[i] = new
            changed[i] = Changed(new, outcome)
        if any(first.values()) and not await _published_first(publish_first, [e for i in ids for e in first[i]]):
            made = {i: _with_outbox(new, first[i]) for i, new in made.items()}
            changed = {i: Changed(made.get(i), c.outcome) for i, c in changed.items()}
        for i, new in made.items():
            writes[i] = (InsertOne(new) if i not in found else ReplaceOne({"_id": i, "version": found[i]["version"]}, new), new)
        lost = await write_guarded(self._collection, writes) | {i for i in recalled if i not in made}
        for i in sorted(lost):  # rare: a race lost to another process, or a "new" one that exists
            self._known.forget(i)
            changed[i] = await self._change_alone(i, decides[i], False, publish_first)
        for i in ids:
            if i in writes and i not in lost:
                self._written(i, found.get(i), writes[i][1])
        return changed

    def _written(self, aggregate_id: str, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
        self._known.remember(new)
        if len(new["outbox"]) > len(old["outbox"] if old else []):
            self.outbox.written(aggregate_id, new)


async def _published_first(publish_first: PublishFirst, entries: list[dict[str, Any]]) -> bool:
    try:
        await publish_first(entries)
        return True
    except Exception as e:  # the broker away: they go by the outbox, as every other event
        log.warning("events_not_published_first", events=len(entries), error=f"{type(e).__name__}: {e}"[:300])
        return False


def _with_outbox(document: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The document with ``entries`` joining its outbox."""
    if not entries:
        return document
    return {**document, "outbox": document["outbox"] + entries, "outbox_pending": True}


async def change_one(store: AggregateStore, aggregate_id: str, decide: Decide, *, new: bool = False) -> Changed:
    """``store.change`` for one aggregate: a batch of one."""
    return (await store.change({aggregate_id: decide}, new=new))[aggregate_id]
