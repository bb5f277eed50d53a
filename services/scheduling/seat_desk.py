"""The seat desk: group commit of one session's registrations, so a burst costs a few writes
(see services/scheduling/registrations.py for where each part of a registration lives)."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection

from services.scheduling import sessions
from services.scheduling.programme import Programme
from services.scheduling.seats import REPEAT, NewRegistration, Refused
from shared.db.aggregates import AggregateStore
from shared.db.inserts import insert_missing
from shared.decisions import Decision


@dataclass
class Ticket:
    """One registration waiting at the desk: what the seat book needs, its contact, and the caller's future."""

    new: NewRegistration
    now: datetime
    contact: Decision
    future: asyncio.Future


@dataclass(frozen=True)
class Keys:
    """Every Idempotency-Key (its ref) a session's registrations were taken under, as of its ``next_seq``:
    kept by the desk, so a keyed request needs no lookup of its own (only one process takes a
    session's registrations at a time; a session whose ``next_seq`` moved otherwise is read again)."""

    next_seq: int
    refs: dict[str, str]


class StaleKeys(Exception):
    """Registrations were taken by another writer since the desk read the session's keys."""


class SeatDesk:
    """Group commit of one session's registrations: those that arrive while a write is under way
    are taken together in the next one, in arrival order — one ``AggregateStore.change`` on the
    session (so nothing overbooks), one ``insert_many`` of their documents, one ``create_many`` of
    their contacts. A burst costs a few writes, not three per registration, and no read per
    registration: the session's keys are kept (``Keys``).
    """

    def __init__(self, store: AggregateStore, contacts: AggregateStore, records: AsyncCollection, programme: Programme, source: str, max_batch: int = 100):
        self.store = store
        self.contacts = contacts
        self.records = records
        self.programme = programme
        self.source = source
        self.max_batch = max_batch
        self.pending: dict[str, list[Ticket]] = {}
        self.draining: set[str] = set()
        self.keys: dict[str, Keys] = {}  # by session: its last batch's documents are written, and these are its keys
        self.tasks: set[asyncio.Task] = set()  # held, so a drain is not garbage-collected mid-way
        self.after_seat: Callable[[], None] | None = None  # the FAULT_EXIT_AFTER_SEAT test hook (main.py)

    async def take(self, session_id: str, ticket: Ticket) -> tuple[dict, dict, str]:
        """The session's state after the write, this registration's document, and its status (or ``REPEAT``)."""
        self.pending.setdefault(session_id, []).append(ticket)
        if session_id not in self.draining:
            self.draining.add(session_id)
            task = asyncio.create_task(self._drain(session_id))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return await ticket.future

    async def _drain(self, session_id: str) -> None:
        try:
            while self.pending.get(session_id):
                queue = self.pending[session_id]
                batch, self.pending[session_id] = queue[: self.max_batch], queue[self.max_batch :]
                try:
                    await self._write(session_id, batch)
                except Exception as e:  # the batch failed as a whole: every caller hears it
                    for t in batch:
                        if not t.future.done():
                            t.future.set_exception(e)
            self.pending.pop(session_id, None)
        finally:
            self.draining.discard(session_id)

    async def settle(self, session_id: str, state: dict | None = None) -> None:
        """Write the documents of the session's last batch (``taken``) if a process died before it did."""
        if state is None:
            doc = await self.store.get(session_id)
            state = doc["state"] if doc else {}
        await self.write_documents(list(state.get("taken", {}).values()))

    async def write_documents(self, entries: list[dict]) -> None:
        """Registrations' documents; one that exists is the same registration's (written before a crash)."""
        await insert_missing(self.records, [{"_id": e["registration_id"], **e} for e in entries])

    async def _load_keys(self, session_id: str) -> Keys:
        """The session's last batch written, then every key its registrations were taken under (one
        read of the session's documents, at its first batch in this process or when another writer took some)."""
        doc = await self.store.get(session_id)
        state = doc["state"] if doc else {}
        await self.settle(session_id, state)
        refs = {d["idempotency_ref"]: d["_id"] async for d in self.records.find({"session_id": session_id}, {"idempotency_ref": 1}) if d.get("idempotency_ref")}
        return Keys(state.get("next_seq", 1), refs)

    async def _write(self, session_id: str, batch: list[Ticket]) -> None:
        for attempt in range(3):
            if session_id not in self.keys:
                self.keys[session_id] = await self._load_keys(session_id)
            known = self.keys.pop(session_id)  # back once this batch's documents are written
            try:
                return await self._write_known(session_id, batch, known)
            except StaleKeys:
                if attempt == 2:
                    raise

    async def _write_known(self, session_id: str, batch: list[Ticket], known: Keys) -> None:
        found: list = []
        now = max(t.now for t in batch)

        def decide(state: dict | None, version: int):
            if state is not None and state.get("next_seq", 1) != known.next_seq:
                raise StaleKeys(session_id)  # registrations taken by another writer since the keys were read
            decision, outcomes, taken = sessions.decide_register(state, version, [t.new for t in batch], now, self.source, known.refs)
            found[:] = [outcomes, taken]
            return decision

        doc = await self.store.change(session_id, decide)
        if doc is not None and self.after_seat is not None:
            self.after_seat()
        self.programme.put_session(doc)
        outcomes, taken = found
        await self.write_documents(taken)
        state = (doc or await self.store.get(session_id))["state"]
        # as of this write's next_seq (or, if nothing was taken, the one the keys were read at)
        as_of = doc["state"]["next_seq"] if doc else known.next_seq
        self.keys[session_id] = Keys(as_of, {**known.refs, **{e["idempotency_ref"]: e["registration_id"] for e in taken if "idempotency_ref" in e}})
        mine = {e["registration_id"]: e for e in taken}
        repeats = {t.new.registration_id for t, o in zip(batch, outcomes, strict=True) if o == REPEAT and t.new.registration_id not in mine}
        for rid in sorted(repeats):
            mine[rid] = await self.records.find_one({"_id": rid}) or state.get("taken", {}).get(rid)
        # a repeat's contact too (its first request may have died between the seat and the
        # contact), unless the resident has had it erased since
        kept = {t.new.registration_id: t.contact for t, o in zip(batch, outcomes, strict=True)
                if not isinstance(o, Refused) and not (mine.get(t.new.registration_id) or {}).get("contact_erased")}
        await self.contacts.create_many(kept)
        for t, outcome in zip(batch, outcomes, strict=True):
            if t.future.done():
                continue
            if isinstance(outcome, Refused):
                t.future.set_exception(outcome)
            else:
                t.future.set_result((state, mine[t.new.registration_id], outcome))
