"""A change to a big session: the first registrants are told while the rest are still being read.

Before, the fan-out read every registration with one ``to_list(None)`` — one database operation
under one client timeout — and sent nothing until all were read: at 100,000 registrants on
FerretDB the read never finished in time and no one was told (the fan-out benchmark). The fake
registrations collection here holds its read back after the first pages until a message has been
handed to the sender: the old code waited forever, the paged one goes on.
"""

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from bson import DEFAULT_CODEC_OPTIONS

from services.notifications.adapters.copies import Copies, contact_fields, registration_fields
from services.notifications.adapters.messages import Messages, lift
from services.notifications.adapters.notices import Notices
from services.notifications.adapters.read_at_once import OptOutsAtOnce
from services.notifications.domain.pages import items_of
from services.notifications.settings import NotificationsSettings
from services.notifications.usecases.clock import Clock
from services.notifications.usecases.content import Contents
from services.notifications.usecases.recipients import Recipients
from services.notifications.usecases.send_together import SendTogether
from services.notifications.usecases.sending import Sender
from services.notifications.usecases.triggers import Triggers, reminders_of
from services.notifications.usecases.withdrawals import Withdrawals
from shared.db.aggregates import AggregateStore
from shared.db.keyed_lock import KeyedLock
from shared.vocabularies import VocabularyCopies

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
        self.inserts, self.failing_insert = 0, 0  # which insert times out (a busy connection pool)

    def find(self, filter_, _projection=None, **_kw):
        docs = [d for d in self.by_id.values() if all(_matches(_get(d, k), v) for k, v in filter_.items() if not isinstance(v, dict))]
        return Cursor(docs, self.gate or _open(), self.hold_after if self.gate else -1)

    async def find_one(self, filter_):
        return self.by_id.get(filter_["_id"])

    async def insert_many(self, docs, ordered=False):
        self.inserts += 1
        if self.inserts == self.failing_insert:
            raise TimeoutError("Timed out while checking out a connection from connection pool")
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


def _matches(value, wanted) -> bool:
    return wanted in value if isinstance(value, list) else value == wanted


def _get(doc: dict, path: str):
    for part in path.split("."):
        doc = (doc or {}).get(part)
    return doc


def _doc(key: str, state: dict, lifted=None) -> dict:
    return {"_id": key, "version": 1, "state_version": 1, "state": state, "outbox": [], "outbox_pending": False, **(lifted(state) if lifted else {})}


class Mailbox:
    """The SMTP adapter's stand-in: every message handed over, in order."""

    def __init__(self, told: asyncio.Event | None = None):
        self.sent: list[str] = []
        self.told = told

    async def send(self, request) -> str:
        self.sent.append(request.message_id)
        if self.told is not None:
            self.told.set()  # someone was told: the rest of the registrations may come
        return "250 OK"


class Service:
    """The parts a fan-out goes through, built as the composition root builds them."""

    def __init__(self, copies: Copies, notices: Notices, messages: Messages, mailbox: Mailbox):
        settings, now, opt_outs = NotificationsSettings(quiet_start_hour=24, quiet_end_hour=0, email_per_second=100_000), Clock(lambda: NOW), AggregateStore(Collection())

        async def none() -> int:
            return 0

        async def published(requests) -> None:
            self.requested.extend(event.data["message_id"] for _, event, _ in requests)

        recipients = Recipients(settings, opt_outs, copies, None, None)
        self.requested: list[str] = []  # the requests published to the gateways' topic
        sender = Sender(settings, messages, recipients, Contents(settings, copies, VocabularyCopies(AggregateStore(Collection()))), OptOutsAtOnce(opt_outs, none), now, published, mailbox, None)
        self.notices = notices
        self.triggers = Triggers(settings, messages, now, sender, SendTogether(sender, now), KeyedLock(), copies=copies, notices=notices,
                                 organizers=None, withdrawals=Withdrawals(), erasure=None)


def _session_with_registrants(sid: str, n: int, mailbox: Mailbox, gate: asyncio.Event | None = None, hold_after: int = 0) -> tuple[Service, Collection]:
    regs, contacts = [], []
    for i in range(n):
        rid = f"r{i:05d}"
        regs.append(_doc(rid, {"registration_id": rid, "session_id": sid, "status": "confirmed", "channel": "email", "language": "sv"}, registration_fields))
        contacts.append(_doc(rid, {"registration_id": rid, "session_id": sid, "email": f"{rid}@example.org"}, contact_fields))
    session = {"session_id": sid, "status": "rescheduled", "version": 2, "starts_at": (NOW + timedelta(days=5)).isoformat(),
               "ends_at": (NOW + timedelta(days=5, hours=1)).isoformat(), "edition_id": "ed", "title": {"sv": "Samtal"}, "online_url": "https://example.org/meet"}
    notice = {"session_id": sid, "status": "pending", "burst": f"sched|{sid}", "due_at": NOW, "previous_starts_at": None}
    messages = Collection()
    copies = Copies(AggregateStore(Collection()), AggregateStore(Collection([_doc(sid, session)])),
                    AggregateStore(Collection(regs, gate, hold_after)), AggregateStore(Collection(contacts)))
    service = Service(copies, Notices(AggregateStore(Collection([_doc(sid, notice)]))), Messages(AggregateStore(messages, lift=lift)), mailbox)
    return service, messages


async def test_the_first_registrants_are_told_before_all_registrations_are_read():
    sid, gate = "s-big", asyncio.Event()
    mailbox = Mailbox(told=gate)
    service, _ = _session_with_registrants(sid, N, mailbox, gate, hold_after=600)
    assert await asyncio.wait_for(service.triggers.fire_notices(), 10) == 1
    assert len(mailbox.sent) == len(set(mailbox.sent)) == N  # every registrant once, and the notice told
    assert sorted(service.requested) == sorted(mailbox.sent)  # each request on the gateways' topic once
    assert (await service.notices.store.get(sid))["state"]["status"] == "done"


async def test_a_page_whose_write_failed_under_load_is_made_by_the_next_firing_each_registrant_once():
    """A fan-out's page that could not be written (the database's pool busy) fails the firing, so
    the notice stays due: the next firing makes what the first did not, and no one hears twice."""
    sid = "s-busy"
    mailbox = Mailbox()
    service, messages = _session_with_registrants(sid, 1_100, mailbox)
    messages.failing_insert = 2  # the second page's
    triggers = service.triggers
    with contextlib.suppress(Exception):
        await triggers.fire_notices()
    assert (await service.notices.store.get(sid))["state"]["status"] == "pending", "not done: fired again"
    assert 0 < len(mailbox.sent) < 1_100
    assert await triggers.fire_notices() == 1
    assert len(mailbox.sent) == len(set(mailbox.sent)) == 1_100, "every registrant once"
    pages = [d for d in messages.by_id.values()]
    assert len(pages) == 3 and sum(len(p["state"]["items"]) for p in pages) == 1_100, "a page of 500 registrants is one document"


async def test_a_registrants_reminder_is_made_once_by_their_confirmation_and_by_a_fan_out_of_reminders():
    """A reminder comes from its registration's confirmation or from a fan-out of its session's
    reminders (a new start), the fan-out's kept a page to a document: whichever comes first, each
    registrant has one reminder, and a repeat of either makes none."""
    sid = "s-reminders"
    service, messages = _session_with_registrants(sid, 700, Mailbox())
    triggers = service.triggers
    session = (await triggers.copies.sessions.get(sid))["state"]
    regs = [d["state"] async for d in triggers.copies.registrations.find({"session_id": sid})]
    for reg in regs[:3] + regs[650:]:  # confirmed before the fan-out: pages of one
        await triggers.reminder(reg, session)

    def make(reg):
        return triggers._reminder_message(reg, session, 24)

    await triggers._fan_out(sid, {"confirmed"}, make, reminders_of(session))
    for reg in regs[:5]:  # confirmed again afterwards (a redelivery): nothing new
        await triggers.reminder(reg, session)
    await triggers._fan_out(sid, {"confirmed"}, make, reminders_of(session))  # the fan-out again (a repeat)
    reminders = [s for d in messages.by_id.values() for s in items_of(d["state"]).values()]
    assert sorted(s["recipient"]["key"] for s in reminders) == sorted(f"registration:{r['registration_id']}" for r in regs), "one each"
    assert len([d for d in messages.by_id.values() if len(d["state"]["items"]) > 1]) == 2, "the rest in pages of the fan-out"
