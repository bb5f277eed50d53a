"""The message store: pages of messages (domain/pages.py), each one document, ``_id`` = its page id.

A message made on its own is a page of one whose id is the message's id; a fan-out's page has an
id of its own (``pages.fan_out_page_id``) and lifts its messages' ids, so a message is found by
its id either way with a backed equality (FerretDB pushes down only equality on top-level fields,
docs/decisions/0004-lifted-top-level-fields.md). Every write goes through the aggregate store
(one writer per document); a page's messages change together in one write.
"""

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import datetime

from services.notifications.adapters import wake
from services.notifications.domain.messages import MessageState, NewMessage, created, withdrawn
from services.notifications.domain.pages import ItemDecide, PageState, field_of, if_absent, items_changed, items_of, without_recipients
from shared.db.aggregates import AggregateStore, PublishFirst
from shared.db.indexes import IndexSpec

COLLECTION = "messages"
# A registrant's messages still waiting (scheduled): what a cancellation ends (``withdraw``).
WAITING_FOR = "registration_id"
MESSAGE_IDS, RECIPIENTS, CAUSE = "message_ids", "recipients", "cause"
# Only lifted fields: an index on ``state.…`` serves no query on FerretDB, which filters nested
# fields in its own process, yet its GIN index on the whole state costs every write.
# The lifted lists of a page (its messages, recipients, registrants waiting, wake buckets) are
# ``multikey``: a page of 500 holds lists far past what FerretDB's own index takes in one row.
INDEXES = [IndexSpec(COLLECTION, ((CAUSE, 1),))] + [
    IndexSpec(COLLECTION, ((f, 1),), multikey=True) for f in (wake.FIELD, WAITING_FOR, MESSAGE_IDS, RECIPIENTS)
]


def lift(page: dict) -> dict:
    """A page's top-level fields, written with every change: ``wake`` (the timer's buckets of every
    message waiting, wake.py); the registrations with a message ``scheduled`` (a message being
    handed over is not taken back); every recipient (an erasure); and for a fan-out's page its
    cause and its messages' ids."""
    # each message's own fields over the page's common ones, read without making each whole
    common, items = page.get("common") or {}, list((page.get("items") or {}).values())

    def field(s: dict, name: str):
        return field_of(common, s, name)

    lifted: dict = {RECIPIENTS: sorted({field(s, "recipient")["key"] for s in items})}
    # the buckets of each distinct wait (a page's messages mostly share theirs), not of each message
    wait_fields = ("status", "due_at", "sending_since", "updated_at", "created_at")
    waits = {tuple(field(s, f) for f in wait_fields) for s in items}
    wakes = sorted({key for w in waits for key in wake.lift({f: v for f, v in zip(wait_fields, w, strict=True) if v is not None}).get(wake.FIELD, ())})
    if wakes:
        lifted[wake.FIELD] = wakes
    waiting = sorted({r["key"].partition(":")[2] for s in items if field(s, "status") == "scheduled" and (r := field(s, "recipient"))["kind"] == "registration"})
    if waiting:
        lifted[WAITING_FOR] = waiting
    if page.get("cause"):
        lifted[CAUSE] = page["cause"]
        lifted[MESSAGE_IDS] = sorted(page.get("items") or {})
    return lifted


PAGES_KEPT = 200_000  # message id → its fan-out page, for the messages this process made last
CAUSES_KEPT = 64  # causes whose pages' message ids are kept (``of_cause``)


class Messages:
    """``publish_first``: the store's (``AggregateStore.change``), for ``record``."""

    def __init__(self, store: AggregateStore, publish_first: PublishFirst | None = None):
        self.store = store
        self._publish_first = publish_first
        self._due = wake.Walk(store, "scheduled")
        self._stale = wake.Walk(store, "sending")
        # where this process put the messages of its fan-outs: a receipt for one (an SMS's comes
        # within seconds) finds its page without asking; the store recalls the page it wrote
        self._pages: OrderedDict[str, str] = OrderedDict()
        self._of_cause: OrderedDict[str, set[str]] = OrderedDict()

    async def change(self, decides: Mapping[str, Mapping[str, ItemDecide]], *, new: bool = False,
                     cause: str | None = None, record: bool = False) -> dict[str, MessageState]:
        """Each page's messages' decisions, every page in one change of the store; returns each
        message's new state where its decision changed it. ``new``: pages expected not to exist
        yet (inserted unread; one that does exists is decided again on what it holds).
        ``record``: the outcomes of messages ``sending`` — their events are published before the
        pages are written, not kept in their outboxes (a message left ``sending`` is sent and
        recorded again, so they go out again with the same ids)."""
        if not decides:
            return {}
        first = self._publish_first if record else None
        changed = await self.store.change({pid: items_changed(d, pid, cause) for pid, d in decides.items()}, new=new, publish_first=first)
        if cause is not None:
            self._remember({mid: pid for pid, c in changed.items() for mid in (c.outcome or {})})
            if cause in self._of_cause:
                self._of_cause[cause].update(mid for c in changed.values() for mid in (c.outcome or {}))
        return {mid: state for c in changed.values() for mid, state in (c.outcome or {}).items()}

    def _remember(self, pages: dict[str, str]) -> None:
        self._pages.update(pages)
        while len(self._pages) > PAGES_KEPT:
            self._pages.popitem(last=False)

    async def create(self, news: Iterable[NewMessage], now: datetime, cause: str | None = None) -> set[str]:
        """Messages not sent now, each a page of one; returns the ids made now (one that exists
        already is left as it is: nothing is made twice). ``cause``: the pages' (see ``of_cause``)."""
        return set(await self.change({n.message_id: {n.message_id: if_absent(created(n, now))} for n in news}, new=True, cause=cause))

    async def _fan_out_page_of(self, message_id: str) -> str | None:
        if message_id in self._pages:
            return self._pages[message_id]
        async for doc in self.store.find({MESSAGE_IDS: message_id}, {"_id": 1}, limit=1):
            return doc["_id"]
        return None

    async def get(self, message_id: str) -> MessageState | None:
        doc = await self.store.get(self._pages.get(message_id, message_id))
        if doc is None and (page_id := await self._fan_out_page_of(message_id)) is not None:
            doc = await self.store.get(page_id)
        return items_of(doc["state"]).get(message_id) if doc else None

    async def change_one(self, message_id: str, decide: ItemDecide) -> MessageState | None:
        """One message's decision, wherever it is kept; None if it changed nothing (or is nowhere)."""
        page_id = self._pages.get(message_id, message_id)  # a message made on its own is its own page
        changed = (await self.store.change({page_id: items_changed({message_id: decide}, page_id)}))[page_id]
        if changed.outcome is None and page_id == message_id and (page_id := await self._fan_out_page_of(message_id)) is not None:
            changed = (await self.store.change({page_id: items_changed({message_id: decide}, page_id)}))[page_id]
        return (changed.outcome or {}).get(message_id)

    async def of_cause(self, cause: str) -> set[str]:
        """The ids of the messages in a cause's pages: read once, then kept as this process writes
        them (it alone writes messages), so a caller holding the cause's lock may ask it per message."""
        if cause not in self._of_cause:
            self._of_cause[cause] = {mid async for doc in self.store.find({CAUSE: cause}, {MESSAGE_IDS: 1}) for mid in doc.get(MESSAGE_IDS, ())}
            while len(self._of_cause) > CAUSES_KEPT:
                self._of_cause.popitem(last=False)
        self._of_cause.move_to_end(cause)
        return self._of_cause[cause]

    async def withdraw(self, registration_id: str, now: datetime, why: str = "registration_cancelled") -> int:
        """End every message to this registrant still waiting (``scheduled``), found by the lifted
        ``registration_id`` (one backed query). Returns how many ended now; a repeat ends none."""
        key = f"registration:{registration_id}"
        pages = [doc["state"] async for doc in self.store.find({WAITING_FOR: registration_id}, {"state": 1})]
        decides = {p["page_id"]: {mid: withdrawn(now, why) for mid, s in items_of(p).items() if s["recipient"]["key"] == key} for p in pages}
        return len(await self.change({pid: d for pid, d in decides.items() if d}))

    async def withdraw_in(self, page_id: str, message_ids: Iterable[str], now: datetime, why: str = "registration_cancelled") -> int:
        """``withdraw`` for messages of one page known by id; one not waiting is left as it is."""
        return len(await self.change({page_id: {mid: withdrawn(now, why) for mid in message_ids}}))

    async def due(self, now: datetime, limit: int = 50) -> list[PageState]:
        """Pages with a message ``scheduled`` and due by ``now`` (and perhaps others)."""
        return _distinct(await self._due.waiting(now, limit))

    async def stale_sending(self, older_than: datetime, limit: int = 500) -> list[PageState]:
        """Pages with a message marked ``sending`` before ``older_than`` (and perhaps others)."""
        return _distinct(await self._stale.waiting(older_than, limit))

    async def forget(self, recipient_keys: Iterable[str]) -> int:
        """An erasure: every message to these recipients goes, sent or not (a rendered request waits
        in a page's outbox only while the broker is away, and is published then); a page left
        empty is deleted. Returns how many messages went."""
        keys = set(recipient_keys)
        pages = {doc["_id"] for key in sorted(keys) async for doc in self.store.find({RECIPIENTS: key}, {"_id": 1})}
        changed = await self.store.change({pid: without_recipients(keys) for pid in sorted(pages)})
        await self.store.delete([pid for pid, c in changed.items() if c.written and not c.state["items"]])
        return sum(c.outcome or 0 for c in changed.values())


def _distinct(pages: list[dict]) -> list[PageState]:
    """A page waiting in two buckets (two messages due at different times) is found twice."""
    return list({p["page_id"]: p for p in pages}.values())
