"""The one mechanism through which every write changes an aggregate (docs/architecture.md, "Storage").

``AggregateStore.change(id, decide)`` serialises all writers of one document — REST handlers,
consumers, the outbox relay, timers — behind a keyed lock, reads the document, lets a pure
function decide the new state and the events to publish, and writes both in one
single-document replace guarded by the version it read. The lock makes this correct on
FerretDB, which has no single-document atomicity under concurrency; the version guard makes
the same code correct across replicas on MongoDB, where a lost race raises and is retried.

Document layout: ``{_id, version, state_version, state, outbox: [{topic, event}], outbox_pending}``;
``version`` guards every write (the relay's too), ``state_version`` counts changes of the state
and is what decisions and events see.
"""

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import bson
from pymongo import InsertOne, ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from shared.db.indexes import IndexSpec
from shared.db.inserts import InsertTogether, duplicates, insert_missing
from shared.db.keyed_lock import KeyedLock
from shared.decisions import Decide, Decision


class ConcurrentChange(Exception):
    """Another writer (another replica, on MongoDB) changed the document first."""


# Top-level fields derived from a state, written with it in the same single-document write: what a
# query must find by, since FerretDB pushes down only equality on top-level fields (a filter on
# ``state.…`` is evaluated in its own process over every document).
Lift = Callable[[dict[str, Any]], dict[str, Any]]

# Told (aggregate id, the document as just written) after a write that left events in its outbox;
# called under the aggregate's lock, so the calls for one aggregate come in the order of its writes.
OnOutbox = Callable[[str, dict[str, Any]], None]


def _added_events(old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    return len(new["outbox"]) > len(old["outbox"] if old else [])


# Documents this store last wrote, kept to decide the next change on without reading them again
# (a session in a registration rush is changed once per batch, a message a few times in a row).
KNOWN_DOCUMENTS = 1_000


def aggregate_indexes(collection: str) -> list[IndexSpec]:
    return [IndexSpec(collection, (("_id", 1),)), IndexSpec(collection, (("outbox_pending", 1),))]


class AggregateStore:
    def __init__(self, collection: AsyncCollection, locks: KeyedLock | None = None, on_outbox: OnOutbox | None = None, lift: Lift | None = None):
        self.collection = collection
        self.locks = locks or KeyedLock()
        self._on_outbox = on_outbox
        self._lift = lift
        self.unannounced: set[str] = set()  # created with announce=False, their writer not done: the relay's sweep waits
        # id → the document as this store last wrote it, in BSON: decoded, it is what a read would
        # return (and no caller can change it). Only a hint: every write is guarded by the version
        # it was decided on, so a document changed elsewhere since (another replica, a deletion)
        # refuses the write, is forgotten here, and the change is made again from a read.
        self._known: OrderedDict[str, bytes] = OrderedDict()
        self._inserts = InsertTogether(collection)  # new documents from concurrent writers, one insert_many

    def notify_outbox(self, callback: OnOutbox) -> None:
        self._on_outbox = callback

    def lift_fields(self, lift: Lift) -> None:
        """From now on every write also sets the top-level fields ``lift(state)`` (and drops those
        it no longer returns, since a write replaces the whole document)."""
        self._lift = lift

    def document(self, aggregate_id: str, version: int, state_version: int, state: dict[str, Any], outbox: list[dict]) -> dict[str, Any]:
        """The stored document of a state: what every write of this store writes."""
        lifted = self._lift(state) if self._lift else {}
        return {**lifted, "_id": aggregate_id, "version": version, "state_version": state_version, "state": state,
                "outbox": outbox, "outbox_pending": bool(outbox)}

    def _next(self, aggregate_id: str, doc: dict[str, Any] | None, decide: Decide) -> dict[str, Any] | None:
        """The document ``decide`` makes of ``doc`` (None: no change), its new events appended to the outbox."""
        decision = decide(doc["state"] if doc else None, doc["state_version"] if doc else 0)
        if decision is None:
            return None
        outbox = (doc["outbox"] if doc else []) + [{"topic": p.topic, "event": p.event} for p in decision.events]
        state_version = (doc["state_version"] if doc else 0) + 1
        return self.document(aggregate_id, (doc["version"] if doc else 0) + 1, state_version, decision.state, outbox)

    async def get(self, aggregate_id: str) -> dict[str, Any] | None:
        return await self.collection.find_one({"_id": aggregate_id})

    async def get_own(self, aggregate_id: str) -> dict[str, Any] | None:
        """``get`` for documents only this process writes (a copy of another service's aggregate,
        kept by this process's consumers): the document as this store last wrote or read it, read
        from the database only when it holds none (``KNOWN_DOCUMENTS`` of them). A rush's
        registrations each read their session's copy, which the same process writes once per
        batch. Where another process may write the documents, ``get`` reads them."""
        doc = self._recall(aggregate_id)
        if doc is not None:
            return doc
        read = await self.collection.find_one({"_id": aggregate_id})
        doc = self._newest(aggregate_id, read)  # one written here while the read was under way is newer
        if doc is read and doc is not None:
            self._remember(doc)
        return doc

    async def delete(self, aggregate_id: str) -> bool:
        """Delete an aggregate (an erasure) under its lock, and the copy of it kept here."""
        async with self.locks.hold(aggregate_id):
            return await self.delete_held(aggregate_id)

    async def delete_held(self, aggregate_id: str) -> bool:
        """``delete`` for a caller that holds the aggregate's lock."""
        self._forget(aggregate_id)
        return (await self.collection.delete_one({"_id": aggregate_id})).deleted_count == 1

    def _remember(self, doc: dict[str, Any]) -> None:
        self._known[doc["_id"]] = bson.encode(doc, codec_options=self.collection.codec_options)
        self._known.move_to_end(doc["_id"])
        if len(self._known) > KNOWN_DOCUMENTS:
            self._known.popitem(last=False)

    def _forget(self, aggregate_id: str) -> None:
        self._known.pop(aggregate_id, None)

    def _recall(self, aggregate_id: str) -> dict[str, Any] | None:
        known = self._known.get(aggregate_id)
        return bson.decode(known, codec_options=self.collection.codec_options) if known is not None else None

    def _newest(self, aggregate_id: str, doc: dict[str, Any] | None) -> dict[str, Any] | None:
        """``doc``, or the version this store last wrote or read if that one is at least as new."""
        known = self._recall(aggregate_id)
        return known if known is not None and (doc is None or known["version"] >= doc["version"]) else doc

    async def _current(self, aggregate_id: str) -> dict[str, Any] | None:
        """The document to decide on: as last written here, else read."""
        return self._recall(aggregate_id) or await self.collection.find_one({"_id": aggregate_id})

    async def change(self, aggregate_id: str, decide: Decide, attempts: int = 5, expect_new: bool = False) -> dict[str, Any] | None:
        """Apply ``decide`` to the current state under the aggregate's lock.

        ``decide`` gets the current state (None for a new aggregate) and its state version, and returns a ``Decision``,
        or None to change nothing. Returns the document as written, or None if unchanged.

        ``expect_new``: the caller expects no document yet (an initiative's first revision), so the
        decision on "none" is inserted without reading first: one round trip instead of two. The
        unique ``_id`` refuses the insert if a document exists after all (a redelivery, another
        replica), and then the change is made as always, from a read; so ``decide`` (pure) may be
        asked twice, and only what it decides on the stored state is written.
        """
        async with self.locks.hold(aggregate_id):
            if expect_new:
                with contextlib.suppress(ConcurrentChange):  # it exists: decided again below on what is stored
                    written = await self._change_once(aggregate_id, decide, read=False)
                    if written is not None:
                        return written
            return await self._retry_locked(aggregate_id, decide, attempts)

    async def _change_once(self, aggregate_id: str, decide: Decide, read: bool = True) -> dict[str, Any] | None:
        """One read-decide-write; ``read=False`` decides on "no document" and inserts (refused,
        as ``ConcurrentChange``, where one exists)."""
        doc = await self._current(aggregate_id) if read else None
        new = self._next(aggregate_id, doc, decide)
        if new is None:
            return None
        if doc is None:
            if not await self._inserts.insert(new):
                raise ConcurrentChange(aggregate_id)
        else:
            result = await self.collection.replace_one({"_id": aggregate_id, "version": doc["version"]}, new)
            if result.matched_count != 1:
                self._forget(aggregate_id)  # changed elsewhere: the next attempt reads it
                raise ConcurrentChange(aggregate_id)
        self._remember(new)
        if self._on_outbox and _added_events(doc, new):
            self._on_outbox(aggregate_id, new)
        return new

    async def change_many(self, decides: dict[str, Decide], attempts: int = 5) -> dict[str, dict[str, Any] | None]:
        """``change`` for many aggregates at once: their reads side by side, one bulk write for all.

        Each id's ``decide`` is applied exactly as ``change`` applies it, under that id's lock (the
        locks taken in sorted order, so two batches cannot wait for each other); a new document is
        inserted and an existing one replaced guarded by the version read. Where the guard finds
        another writer first (another replica, on MongoDB), that id alone is done again one by one.
        Returns each id's document as written, or None where its decision changed nothing.
        """
        ids = sorted(decides)
        async with self.locks.hold_all(ids):
            found = {i: d for i in ids if (d := self._recall(i)) is not None}
            found.update(await self._read_each([i for i in ids if i not in found]))
            return await self._change_found(ids, found, decides, attempts)

    async def change_known(self, known: dict[str, dict[str, Any]], decides: dict[str, Decide], attempts: int = 5) -> dict[str, dict[str, Any] | None]:
        """``change_many`` for documents this store has just written (``known``: id → the document as
        written), without reading them: a read is a round trip per id (``$in`` is no cheaper on
        FerretDB, see ``_read_each``). Where a document changed since (the version guard), that id
        is done again from a fresh read, so a stale ``known`` costs time, never an update.

        A newer version this store wrote meanwhile (a delivery receipt that overtook the sender's
        bulk mark) is decided on instead: otherwise its guard fails, and since a bulk's result
        counts the misses without naming them, every document of the bulk is read again."""
        ids = sorted(decides)
        async with self.locks.hold_all(ids):
            return await self._change_found(ids, {i: self._newest(i, known[i]) for i in ids if i in known}, decides, attempts)

    async def _change_found(self, ids: list[str], found: dict[str, dict[str, Any]], decides: dict[str, Decide], attempts: int) -> dict[str, dict[str, Any] | None]:
        """The body of ``change_many``, the locks of ``ids`` held and their documents ``found``."""
        written: dict[str, dict[str, Any] | None] = {}
        writes: dict[str, tuple[InsertOne | ReplaceOne, dict[str, Any]]] = {}
        for i in ids:
            new = written[i] = self._next(i, found.get(i), decides[i])
            if new is not None:
                op = InsertOne(new) if i not in found else ReplaceOne({"_id": i, "version": found[i]["version"]}, new)
                writes[i] = (op, new)
        lost = await self._write_guarded(writes)
        for i in writes:
            if i not in lost:
                self._remember(writes[i][1])
        for i in sorted(lost):  # rare: a race lost to another process; redone from a fresh read
            self._forget(i)
            written[i] = await self._retry_locked(i, decides[i], attempts)
        for i in ids:
            new = written[i]
            if new is not None and i not in lost and self._on_outbox and _added_events(found.get(i), new):
                self._on_outbox(i, new)
        return written

    async def _write_guarded(self, writes: dict[str, tuple[InsertOne | ReplaceOne, dict[str, Any]]]) -> set[str]:
        """One unordered bulk write; returns the ids whose insert or guarded replace did not land."""
        if not writes:
            return set()
        order = list(writes)
        try:
            result = await self.collection.bulk_write([op for op, _ in writes.values()], ordered=False)
        except BulkWriteError as e:
            lost = {order[n] for n in duplicates(e)}  # an insert met an _id another writer made
            replaced = e.details.get("nMatched", 0)
        else:
            lost, replaced = set(), result.matched_count
        replaces = {i: new for i, (op, new) in writes.items() if isinstance(op, ReplaceOne)}
        if replaced < len(replaces):
            # A bulk result counts matches but does not say which: the database says which
            # documents are as written here.
            stored = await self._read_each(sorted(replaces))
            lost |= {i for i, new in replaces.items() if stored.get(i) != new}
        return lost

    async def _read_each(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """The documents of ``ids``, one ``find_one`` each, side by side on the pool. Not one ``$in``
        read: FerretDB v1 answers ``$in`` by scanning the whole collection (840 ms at 20,000
        documents, measured) where a backed ``_id`` equality takes milliseconds."""
        docs = await asyncio.gather(*(self.collection.find_one({"_id": i}) for i in ids))
        return {d["_id"]: d for d in docs if d is not None}

    async def _retry_locked(self, aggregate_id: str, decide: Decide, attempts: int) -> dict[str, Any] | None:
        """``change``'s retry loop, for a caller that already holds the aggregate's lock."""
        for attempt in range(attempts):
            try:
                return await self._change_once(aggregate_id, decide)
            except ConcurrentChange:
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(0.01 * 2**attempt)
        return None

    async def create_many(self, created: dict[str, Decision]) -> set[str]:
        """Create new aggregates (their first version) in one ``insert_many``, each under its lock;
        one that exists already is left as it is. Returns the ids created.

        For bursts of new aggregates (a registration rush's contacts): one round trip for all
        instead of a read and a write each. An insert of a new id needs no read-modify-write, and
        the database's unique ``_id`` refuses a second one, so this keeps "one writer per document".
        """
        return set(await self.insert_new(created))

    async def insert_new(self, created: dict[str, Decision], announce: bool = True) -> dict[str, dict[str, Any]]:
        """``create_many``, returning the documents created as written (for ``change_known``).

        ``announce=False``: their events are not handed to the outbox relay now, for a caller that
        changes them again at once: the relay then publishes both writes' events from the second
        (one marking instead of two, and no marking between that would outdate what the caller
        knows). The relay's sweep leaves them until the caller calls ``announced``; the events are
        in the documents all along, so after a crash the next process's sweep finds them.
        """
        docs = [self.document(i, 1, 1, d.state, [{"topic": p.topic, "event": p.event} for p in d.events]) for i, d in sorted(created.items())]
        if not docs:
            return {}
        async with self.locks.hold_all(doc["_id"] for doc in docs):
            refused = await insert_missing(self.collection, docs)  # an id that exists already is left as it is
        made = {doc["_id"]: doc for doc in docs if doc["_id"] not in refused}
        for doc in made.values():
            self._remember(doc)
        if not announce:
            self.unannounced.update(i for i in made if created[i].events)
        for i in sorted(made):
            if announce and created[i].events and self._on_outbox:
                self._on_outbox(i, made[i])
        return made

    def announced(self, ids) -> None:
        """The writer of documents created with ``announce=False`` is done with them (it handed their
        outbox over with its next write, or gave up): the relay's sweep takes them again."""
        self.unannounced.difference_update(ids)

    async def mark_published(self, aggregate_id: str, event_ids: set[str], whole_outbox_of: int | None = None) -> bool:
        """Remove published events from the outbox (the relay's write, under the same lock).

        ``whole_outbox_of``: the version whose whole outbox ``event_ids`` are. If the document is
        still at that version, its outbox is emptied without reading it again (one round trip
        instead of two) and True is returned; otherwise it changed since, and the events are
        removed from what it holds now (False).
        """
        async with self.locks.hold(aggregate_id):
            if whole_outbox_of is not None:
                marked = {"outbox": [], "outbox_pending": False, "version": whole_outbox_of + 1}
                result = await self.collection.update_one({"_id": aggregate_id, "version": whole_outbox_of}, {"$set": marked})
                if result.matched_count == 1:
                    known = self._recall(aggregate_id)
                    if known is not None and known["version"] == whole_outbox_of:
                        self._remember({**known, **marked})
                    else:
                        self._forget(aggregate_id)
                    return True
            doc = await self.collection.find_one({"_id": aggregate_id})
            if doc is None:
                self._forget(aggregate_id)
                return False
            outbox = [p for p in doc["outbox"] if p["event"]["id"] not in event_ids]
            if len(outbox) == len(doc["outbox"]):
                self._remember(doc)
                return False
            marked = {"outbox": outbox, "outbox_pending": bool(outbox), "version": doc["version"] + 1}
            result = await self.collection.update_one({"_id": aggregate_id, "version": doc["version"]}, {"$set": marked})
            if result.matched_count != 1:
                self._forget(aggregate_id)
                raise ConcurrentChange(aggregate_id)
            self._remember({**doc, **marked})
            return False

    async def with_pending_outbox(self, limit: int = 100) -> list[dict[str, Any]]:
        cursor = self.collection.find({"outbox_pending": True}, {"outbox": 1, "version": 1}).limit(limit)
        return await cursor.to_list(None)
