"""Notifications' own copies of scheduling's aggregates: editions, sessions, registrations, contacts.

Each is kept newest-version-wins (shared/db/copies.py) so duplicates, reordering and replays
change nothing. Contacts are personal data: an erasure (a tombstone on the contacts topic, or
``POST /v1/erasure``) replaces one by a mark without any (``erased_contact``), so a message made
for the registrant afterwards is cancelled at once instead of waiting for a contact that will not come.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

from services.notifications.domain.copies import forget, session_kept
from shared.db.aggregates import AggregateStore, aggregate_indexes, change_one
from shared.db.copies import keep_newest
from shared.db.indexes import IndexSpec
from shared.decisions import Decision

EDITIONS, SESSIONS, REGISTRATIONS, CONTACTS = "editions", "sessions", "registrations", "contacts"
PAGE = 500  # registrations per page of a fan-out: one document of messages each (domain/pages.py)
INDEXES = (
    aggregate_indexes(EDITIONS)
    + aggregate_indexes(SESSIONS)
    + [IndexSpec(SESSIONS, (("state.first_published_at", 1),))]
    + aggregate_indexes(REGISTRATIONS)
    + [IndexSpec(REGISTRATIONS, (("session_id", 1),))]
    + aggregate_indexes(CONTACTS)
    + [IndexSpec(CONTACTS, (("session_id", 1),)), IndexSpec(CONTACTS, (("state.email", 1),)), IndexSpec(CONTACTS, (("state.phone", 1),))]
)


def registration_fields(state: dict) -> dict:
    """A registration copy's top-level ``session_id``: what a session's walk finds it by. FerretDB
    pushes down only equality on top-level fields; on ``state.session_id`` every walk (a new
    session, a reschedule, a cancellation) read the whole table in its own process — 2–4 s at
    tens of thousands of registrations, and twenty sessions published at once timed out and
    were retried, reading it again and again."""
    return {"session_id": state["session_id"]}


def contact_fields(state: dict) -> dict:
    """A contact copy's top-level ``session_id``: a fan-out reads its session's contacts with one
    cursor (``read_at_once.SessionContacts``) instead of one read per message."""
    return {"session_id": state["session_id"]} if state.get("session_id") else {}


class Copies:
    """The four copies' stores, each made with ``own=True`` (only this process's consumers write
    them: one notifications process per database, docs/notifications.md) and registrations and
    contacts with their lifted fields (``registration_fields``, ``contact_fields``)."""

    def __init__(self, editions: AggregateStore, sessions: AggregateStore, registrations: AggregateStore, contacts: AggregateStore):
        self.editions, self.sessions, self.registrations, self.contacts = editions, sessions, registrations, contacts

    async def keep_session(self, data: dict, now: datetime) -> tuple[dict | None, dict | None]:
        """Store a session's newest state; returns (previous state, stored state or None if stale)."""
        previous = await self.get(self.sessions, data["session_id"])
        stored = (await change_one(self.sessions, data["session_id"], session_kept(data, now))).state
        if stored is None:
            return previous, await self._repeat(self.sessions, data["session_id"], data["version"])
        return previous, stored

    async def keep(self, store: AggregateStore, key: str, data: dict) -> dict | None:
        """The stored copy, or None if a newer one is there (a stale event: nothing to do)."""
        stored = await keep_newest(store, key, data["version"], data)
        return stored if stored is not None else await self._repeat(store, key, data["version"])

    async def _repeat(self, store: AggregateStore, key: str, version: int) -> dict | None:
        """The same version again is a redelivery, perhaps after a crash between storing the copy
        and acting on it (found by the chaos run: a registration never told): the caller acts
        again, and its effects are idempotent (message ids follow from the cause)."""
        current = await self.get(store, key)
        return current if current is not None and current["version"] == version else None

    async def keep_contact(self, data: dict) -> None:
        # Contacts carry no version: the compacted topic's latest value per key wins. Almost always
        # a new registrant's: inserted without a read first (a known one is refused, then compared).
        await change_one(self.contacts, data["registration_id"], lambda current, _v: None if current == data else Decision(data), new=True)

    async def erase_contact(self, registration_id: str) -> bool:
        """Replace a registrant's contact by its mark (``erased_contact``); True if a contact was
        there. A contact recorded again later (scheduling republished it) replaces the mark."""
        return (await change_one(self.contacts, registration_id, forget(registration_id))).outcome is True

    @staticmethod
    async def get(store: AggregateStore, key: str) -> dict | None:
        doc = await store.get(key)  # own: as this process last wrote or read it
        return doc["state"] if doc else None

    async def registrations_in(self, session_id: str, page: int = PAGE) -> AsyncIterator[list[dict]]:
        """A session's registrations, a page at a time, read ahead of the caller (see ``read_ahead``).

        Not ``to_list(None)``: the client's timeout (``DB_TIMEOUT_MS``) bounds a ``to_list`` as one
        operation, and FerretDB filters ``state.session_id`` in its own process over the whole
        table, so at 100,000 registrations the read never finished in time — every retry began a
        new full read, and a big session's registrants were told nothing (the fan-out benchmark:
        0 messages in 60 s). Iterated, each batch (``getMore``) has its own timeout, and the first
        page can be acted on while the rest is still read."""
        cursor = self.registrations.find({"session_id": session_id}, {"state": 1})

        async def pages() -> AsyncIterator[list[dict]]:
            batch: list[dict] = []
            async for doc in cursor:
                batch.append(doc["state"])
                if len(batch) >= page:
                    yield batch
                    batch = []
            if batch:
                yield batch

        try:
            async with contextlib.aclosing(read_ahead(pages())) as ahead:
                async for batch in ahead:
                    yield batch
        finally:
            await cursor.aclose()

    async def published_since(self, since: datetime, limit: int = 500) -> list[dict]:
        return [d["state"] async for d in self.sessions.find({"state.first_published_at": {"$gt": since}}, {"state": 1}, limit=limit)]


async def read_ahead(pages: AsyncIterator[list]) -> AsyncIterator[list]:
    """``pages`` read by a task of its own into a queue, so a slow consumer (a page's messages are
    sent before the next page is taken) neither leaves the database cursor idle for minutes nor
    slows the read. Holds no more than the whole list held before; an error in the read is raised
    where the page would have come, and leaving early stops the read."""
    queue: asyncio.Queue = asyncio.Queue()
    end = object()

    async def read() -> None:
        try:
            async for page in pages:
                queue.put_nowait(page)
            queue.put_nowait(end)
        except BaseException as e:  # handed to the consumer, cancellation included
            queue.put_nowait(e)
            raise

    task = asyncio.create_task(read())
    try:
        while (item := await queue.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        if not task.done():
            task.cancel()
        with contextlib.suppress(BaseException):
            await task
