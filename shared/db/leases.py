"""Write leases: one writer per document across the replicas of a service.

Contract: while one process of a service is inside ``hold(key)`` of a scope, no other process of
the service (sharing its database) is inside ``hold`` of the same scope and key — unless that
process was found dead: its heartbeat stood still for ``dead_after_s`` while a waiter watched.
Inside a process the keyed in-process lock is taken first, so a process asks the database for a
key at most once at a time and its own writers queue in memory; a task inside ``hold(key)`` may
hold the key again (a seat desk holding its session changes the session) without a second lease.

A lease is a document ``{_id: token, key: "<scope>/<key>", holder: instance}`` in
``write_leases``, whose unique index on ``key`` refuses a second holder. Taking one is an insert;
giving it back deletes it by its own token, and a take-over deletes by the dead holder's name, so
neither ever removes a live process's lease. Both are safe on FerretDB, which keeps unique indexes
under concurrency but loses concurrent updates of one document
(docs/decisions/0013-write-leases-across-replicas.md).

Liveness: every process bumps its own document in ``replicas`` every ``beat_s`` (one writer per
document again). A waiter that has waited ``watch_after_s`` reads the holder's beat; when the beat
has not moved for ``dead_after_s`` of the waiter's own time, the holder is dead and the waiter
deletes every lease of that holder (and its heartbeat document). A database away stops every beat
and every waiter alike, so it declares nobody dead. A lease of its own a process finds in its way
(an insert that landed though its call failed) it gives back at once.
"""

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.db.indexes import IndexSpec
from shared.db.keyed_lock import KeyedLock

log = structlog.get_logger(__name__)
LEASES, REPLICAS = "write_leases", "replicas"
INDEXES = [IndexSpec(LEASES, (("key", 1),), unique=True), IndexSpec(LEASES, (("holder", 1),))]


class LeaseTimeout(TimeoutError):
    """A lease was not free within ``max_wait_s``: the engines are too slow, or a holder is stuck.
    Answered as "busy" (503) over REST; a consumer's message waits and is tried again."""


@dataclass(frozen=True)
class LeaseTimes:
    beat_s: float = 1.0
    watch_after_s: float = 0.25  # a holder's death is seen dead_after_s after the first look
    logged_after_s: float = 1.0  # a wait this long is logged: contention, or a take-over
    dead_after_s: float = 5.0
    poll_first_s: float = 0.002
    poll_max_s: float = 0.05
    max_wait_s: float = 60.0


class WriteLeases:
    """The leases of one process: ``scope(name)`` gives a keyed lock (``hold``/``hold_all``) whose
    keys are leased in the database; ``run()`` is the heartbeat (start it with the service)."""

    def __init__(self, db: AsyncDatabase, service: str, times: LeaseTimes | None = None):
        self.instance = f"{service}-{uuid.uuid4().hex[:12]}"  # this process: a restart is a new holder
        self._leases = db[LEASES]
        self._replicas = db[REPLICAS]
        self._times = times or LeaseTimes()
        self._local = KeyedLock()
        self._unreleased: set[str] = set()  # tokens whose release failed (the database away): retried each beat

    def scope(self, name: str) -> "ScopedLeases":
        return ScopedLeases(self, name)

    async def run(self) -> None:
        """Beat until cancelled; a failed beat (the database away) is tried again next time."""
        while True:
            with contextlib.suppress(Exception):
                await self._replicas.update_one({"_id": self.instance}, {"$inc": {"beat": 1}, "$set": {"at": datetime.now(UTC)}}, upsert=True)
            if self._unreleased:
                await self._give_back(list(self._unreleased))
            await asyncio.sleep(self._times.beat_s)

    async def retire(self) -> None:
        """At a clean stop: this process's heartbeat document goes (its leases were given back)."""
        with contextlib.suppress(Exception):
            await self._replicas.delete_one({"_id": self.instance})

    @asynccontextmanager
    async def hold_all(self, keys: Iterable[str]) -> AsyncIterator[None]:
        # keys the running task holds already are held again for free (KeyedLock's re-entry)
        keys = [k for k in sorted(set(keys)) if not self._local.held_here(k)]
        async with AsyncExitStack() as held:
            for key in keys:  # in memory first, sorted: two batches of this process never wait for each other
                await held.enter_async_context(self._local.hold(key))
            tokens = await self._take_all(keys)
            try:
                yield
            finally:
                await self._give_back(tokens)

    async def _take_all(self, keys: list[str]) -> list[str]:
        """Leases of ``keys`` (sorted), taken in order: a batch keeps the longest prefix it got and
        waits for the next key, so two processes' batches never wait for each other."""
        tokens: list[str] = []
        try:
            while keys:
                got = await self._try(keys)
                prefix = 0
                while prefix < len(keys) and keys[prefix] in got:
                    prefix += 1
                tokens += [got.pop(k) for k in keys[:prefix]]
                await self._give_back(list(got.values()))  # taken past a gap: let others have them meanwhile
                keys = keys[prefix:]
                if keys:
                    tokens.append(await self._wait_for(keys[0]))
                    keys = keys[1:]
        except BaseException:
            await self._give_back(tokens)
            raise
        return tokens

    async def _try(self, keys: list[str]) -> dict[str, str]:
        """One insert of a lease per key; returns the keys taken and their tokens."""
        docs = {k: {"_id": uuid.uuid4().hex, "key": k, "holder": self.instance} for k in keys}
        try:
            return await self._insert(docs)
        except BaseException:
            # The inserts may have landed before the error (a timeout, a lost connection, a
            # cancellation): a lease nobody knows it holds would never be given back by this live
            # holder nor taken over by another. These tokens are ours alone, so they are deleted.
            tokens = [d["_id"] for d in docs.values()]
            self._unreleased.update(tokens)  # the heartbeat deletes them should this attempt fail
            await self._give_back(tokens)
            raise

    async def _insert(self, docs: dict[str, dict]) -> dict[str, str]:
        keys = list(docs)
        if len(keys) == 1:
            try:
                await self._leases.insert_one(docs[keys[0]])
                return {keys[0]: docs[keys[0]]["_id"]}
            except DuplicateKeyError:
                return {}
        try:
            await self._leases.insert_many(list(docs.values()), ordered=False)
            refused: set[int] = set()
        except BulkWriteError as e:
            if any(err.get("code") != 11000 for err in e.details.get("writeErrors", [])):
                raise
            refused = {err["index"] for err in e.details["writeErrors"]}
        return {k: d["_id"] for n, (k, d) in enumerate(docs.items()) if n not in refused}

    async def _wait_for(self, key: str) -> str:
        t, started = self._times, time.monotonic()
        delay, watched = t.poll_first_s, None
        while True:
            if got := await self._try([key]):
                if (waited := time.monotonic() - started) >= t.logged_after_s:
                    log.info("write_lease_waited", key=key, seconds=round(waited, 2))
                return got[key]
            waited = time.monotonic() - started
            if waited > t.max_wait_s:
                raise LeaseTimeout(f"write lease {key} not free after {t.max_wait_s:.0f} s")
            if waited >= t.watch_after_s:
                watched = await self._watch(key, watched)
            await asyncio.sleep(delay)
            delay = min(delay * 2, t.poll_max_s)

    async def _watch(self, key: str, watched: tuple | None) -> tuple | None:
        """Watch the holder's beat; take its lease away once the beat stood still ``dead_after_s``.
        ``watched``: (lease token, beat seen, since when) from the previous look."""
        lease = await self._leases.find_one({"key": key})
        if lease is None:
            return None
        if lease["holder"] == self.instance:
            # Ours, while the waiter holds the key's in-process lock, so no task here holds it: left
            # by an attempt whose error hid that it landed. Given back at once.
            await self._leases.delete_one({"_id": lease["_id"]})
            log.warning("write_lease_left_behind_given_back", key=key)
            return None
        replica = await self._replicas.find_one({"_id": lease["holder"]}, {"beat": 1})
        beat = replica["beat"] if replica else None
        if watched is None or watched[:2] != (lease["_id"], beat):
            return (lease["_id"], beat, time.monotonic())
        if time.monotonic() - watched[2] < self._times.dead_after_s:
            return watched
        # Every lease of a dead holder is as stale as this one: all go now, so a writer needing two
        # of them (a seat desk's session, then a contact) waits for one take-over, not one each.
        gone = await self._leases.delete_many({"holder": lease["holder"]})
        await self._replicas.delete_one({"_id": lease["holder"], "beat": beat})  # unless it beat again
        if gone.deleted_count:  # none: another waiter took them over a moment before
            log.warning("write_lease_taken_from_dead_holder", key=key, holder=lease["holder"], leases=gone.deleted_count)
        return None

    async def _give_back(self, tokens: list[str]) -> None:
        """Delete these leases of ours; never raises: what could not be deleted now is retried by
        the heartbeat, since a live holder's leases are never taken over."""
        if not tokens:
            return
        try:
            # Shielded: a cancelled writer still gives its leases back.
            await asyncio.shield(self._leases.delete_many({"_id": {"$in": tokens}}))
            self._unreleased.difference_update(tokens)
        except Exception as e:
            self._unreleased.update(tokens)
            log.warning("write_lease_release_failed", leases=len(tokens), error=f"{type(e).__name__}: {e}"[:200])


class ScopedLeases:
    """A keyed lock over one scope of a process's leases (a collection's aggregates, an edition's
    schedule): the interface of ``KeyedLock``."""

    across_processes = True  # what a store asks: other processes write these documents too

    def __init__(self, leases: WriteLeases, scope: str):
        self._leases = leases
        self._scope = scope

    def hold(self, key: str):
        return self._leases.hold_all([f"{self._scope}/{key}"])

    def hold_all(self, keys: Iterable[str]):
        return self._leases.hold_all(f"{self._scope}/{k}" for k in keys)
