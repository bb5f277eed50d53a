"""A change to a big session: the first registrants are told while the rest are still being read.

Before, the fan-out read every registration with one ``to_list(None)`` — one database operation
under one client timeout — and sent nothing until all were read: at 100,000 registrants on
FerretDB the read never finished in time and no one was told (the fan-out benchmark). The fake
registrations collection here holds its read back after the first pages until a message has been
handed to the sender: the old code waited forever, the paged one goes on.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from bson import DEFAULT_CODEC_OPTIONS

from services.notifications.copies import Copies, registration_fields
from services.notifications.messages import Messages
from services.notifications.notices import Notices
from services.notifications.parts import Parts
from services.notifications.settings import NotificationsSettings
from services.notifications.triggers import Triggers
from shared.db.aggregates import AggregateStore

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
N = 1_200


class Cursor:
    def __init__(self, docs: list[dict], gate: asyncio.Event, hold_after: int):
        self.docs, self.gate, self.hold_after, self.read = docs, gate, hold_after, 0

    def __aiter__(self):
        return self

    async def __anext__(self) -> dict:
        if self.read >= len(self.docs):
            raise StopAsyncIteration
        if self.read == self.hold_after:
            await self.gate.wait()  # the rest comes only once someone was told
        self.read += 1
        return self.docs[self.read - 1]

    def limit(self, _n: int) -> "Cursor":
        return self

    async def to_list(self, _length=None) -> list[dict]:
        return [d async for d in self]

    async def close(self) -> None:
        pass


class Collection:
    """Only what the fan-out touches: find (registrations, due notices), find_one, insert_many."""

    codec_options = DEFAULT_CODEC_OPTIONS  # how the store keeps what it wrote (BSON), as a real collection says

    def __init__(self, docs: list[dict] | None = None, gate: asyncio.Event | None = None, hold_after: int = 0):
        self.by_id = {d["_id"]: d for d in docs or []}
        self.gate, self.hold_after = gate, hold_after

    def find(self, filter_, _projection=None, **_kw):
        docs = [d for d in self.by_id.values() if all(_get(d, k) == v for k, v in filter_.items() if not isinstance(v, dict))]
        return Cursor(docs, self.gate or _open(), self.hold_after if self.gate else -1)

    async def find_one(self, filter_):
        return self.by_id.get(filter_["_id"])

    async def insert_many(self, docs, ordered=False):
        for d in docs:
            self.by_id[d["_id"]] = d

    async def insert_one(self, doc):
        self.by_id[doc["_id"]] = doc

    async def replace_one(self, filter_, doc):
        self.by_id[doc["_id"]] = doc
        return SimpleNamespace(matched_count=1)


def _open() -> asyncio.Event:
    e = asyncio.Event()
    e.set()
    return e


def _get(doc: dict, path: str):
    for part in path.split("."):
        doc = (doc or {}).get(part)
    return doc


def _doc(key: str, state: dict) -> dict:
    return {"_id": key, "version": 1, "state_version": 1, "state": state, "outbox": [], "outbox_pending": False}


def _registration(key: str, state: dict) -> dict:
    """A registration copy as the service writes it: with its lifted top-level fields."""
    return {**_doc(key, state), **registration_fields(state)}


async def test_the_first_registrants_are_told_before_all_registrations_are_read():
    sid, starts = "s-big", NOW + timedelta(days=5)
    gate = asyncio.Event()
    regs = [_registration(f"r{i:05d}", {"registration_id": f"r{i:05d}", "session_id": sid, "status": "confirmed", "channel": "email", "language": "sv"})
            for i in range(N)]
    session = {"session_id": sid, "status": "rescheduled", "starts_at": starts.isoformat(), "edition_id": "ed"}
    notice = {"session_id": sid, "status": "pending", "burst": "sched|e1", "due_at": NOW, "previous_starts_at": None}
    store = lambda c: AggregateStore(c)  # noqa: E731
    parts = Parts(
        settings=NotificationsSettings(quiet_start_hour=24, quiet_end_hour=0),
        messages=Messages(store(Collection())),
        copies=Copies(store(Collection()), store(Collection([_doc(sid, session)])), store(Collection(regs, gate, hold_after=600)), store(Collection())),
        subscriptions=None, notices=Notices(store(Collection([_doc(sid, notice)]))), organizers=None, opt_outs=None, producer=None,
        clock=lambda: NOW,
    )
    triggers = Triggers(parts)
    kicked: list[str] = []

    async def kick(message_id: str) -> None:
        kicked.append(message_id)
        gate.set()

    triggers.kick = kick
    assert await asyncio.wait_for(triggers.fire_notices(), 10) == 1
    assert len(kicked) == len(set(kicked)) == N  # every registrant once, and the notice told
    assert (await parts.notices.store.get(sid))["state"]["status"] == "done"


async def test_a_message_whose_hand_over_failed_under_load_gets_a_second_chance_in_the_fan_out():
    sid = "s-busy"
    regs = [_registration(f"r{i}", {"registration_id": f"r{i}", "session_id": sid, "status": "confirmed", "channel": "email", "language": "sv"}) for i in range(10)]
    session = {"session_id": sid, "status": "rescheduled", "starts_at": (NOW + timedelta(days=5)).isoformat(), "edition_id": "ed"}
    notice = {"session_id": sid, "status": "pending", "burst": "sched|e2", "due_at": NOW, "previous_starts_at": None}
    store = lambda c: AggregateStore(c)  # noqa: E731
    parts = Parts(
        settings=NotificationsSettings(quiet_start_hour=24, quiet_end_hour=0),
        messages=Messages(store(Collection())),
        copies=Copies(store(Collection()), store(Collection([_doc(sid, session)])), store(Collection(regs)), store(Collection())),
        subscriptions=None, notices=Notices(store(Collection([_doc(sid, notice)]))), organizers=None, opt_outs=None, producer=None,
        clock=lambda: NOW,
    )
    triggers = Triggers(parts)
    attempts: dict[str, int] = {}

    async def kick(message_id: str) -> None:
        attempts[message_id] = attempts.get(message_id, 0) + 1
        if len(attempts) <= 3 and attempts[message_id] == 1:
            raise TimeoutError("Timed out while checking out a connection from connection pool")

    triggers.kick = kick
    await triggers.fire_notices()
    assert len(attempts) == 10
    assert sorted(attempts.values()) == [1] * 7 + [2] * 3  # the three that failed, once more; no one thrice
