"""The durable message store: one document per message, ``_id`` = its derived message id.

State: ``{message_id, channel, category, language, recipient: {kind, key}, context, cause,
status, due_at, not_before, expires_at, attempts, ...}``. Status moves
``scheduled → sending → sent → delivered`` (or ``failed``, ``expired``, ``cancelled``). Every write goes
through ``AggregateStore.change`` (the keyed writer); creation is a no-op when the id exists,
so a redelivered trigger sends nothing twice. Decisions here are pure; ``now`` is passed in.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notifications import wake
from services.notifications.message_ids import derived_event_id, message_id
from shared.db.aggregates import AggregateStore
from shared.db.indexes import IndexSpec
from shared.decisions import Decision, Pending
from shared.envelope import new_event
from shared.events.notifications import DeliveryCountedV1, DeliveryOutcome, NotificationDeadLetteredV1
from shared.topics import NOTIFICATIONS_DEADLETTER, NOTIFICATIONS_DELIVERIES

COLLECTION = "messages"
# A registrant's message carries its registration's id at the top level while it waits (scheduled),
# so a cancellation finds what is still to be sent (``Messages.withdraw``) with one backed equality.
WAITING_FOR = "registration_id"
# Only lifted fields (see wake.py): indexes on ``state.…`` served no query on FerretDB, which filters
# nested fields in its own process, yet their GIN index on the whole state cost every write of a message.
INDEXES = [IndexSpec(COLLECTION, ((wake.FIELD, 1),)), IndexSpec(COLLECTION, ((WAITING_FOR, 1),))]
FINAL = {"sent", "delivered", "failed", "expired", "cancelled"}


def lift(state: dict) -> dict:
    """A message's top-level fields, written with every change of its state: ``wake`` (wake.py) and,
    while a registrant's message is ``scheduled`` (held by the quiet hours, due later, postponed),
    ``registration_id``. Not while ``sending`` or after: a message being handed over is not taken
    back, and a fan-out's messages created ``sending`` add no index entry."""
    lifted = wake.lift(state)
    kind, _, key = ((state.get("recipient") or {}).get("key") or "").partition(":")
    if state.get("status") == "scheduled" and kind == "registration":
        lifted[WAITING_FOR] = key
    return lifted


@dataclass(frozen=True)
class NewMessage:
    cause: str
    channel: str  # email | sms
    category: str
    language: str
    recipient_kind: str  # registration | subscription | organizer
    recipient_key: str
    context: dict[str, Any]
    not_before: datetime
    expires_at: datetime
    edition_id: str | None = None

    @property
    def message_id(self) -> str:
        return message_id(self.cause, f"{self.recipient_kind}:{self.recipient_key}:{self.channel}", self.category)


def create(new: NewMessage, now: datetime):
    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is not None:
            return None  # the same cause, recipient and template: already there
        return Decision({
            "message_id": new.message_id,
            "channel": new.channel,
            "category": new.category,
            "language": new.language,
            "recipient": {"kind": new.recipient_kind, "key": f"{new.recipient_kind}:{new.recipient_key}"},
            "context": new.context,
            "cause": new.cause,
            "edition_id": new.edition_id,
            "status": "scheduled",
            "due_at": new.not_before,
            "not_before": new.not_before,
            "expires_at": new.expires_at,
            "attempts": 0,
            "created_at": now,
        })

    return decide


def counted(state: dict, outcome: DeliveryOutcome, now: datetime, source: str) -> Pending:
    data = DeliveryCountedV1(
        message_id=state["message_id"], channel=state["channel"], language=state["language"], category=state["category"],
        outcome=outcome, edition_id=state.get("edition_id"), at=now,
    )
    event = new_event(data, source=source, subject=state["message_id"], event_id=derived_event_id(state["message_id"], f"counted:{outcome.value}"), time=now)
    return Pending.of(NOTIFICATIONS_DELIVERIES, event)


def dead_letter(state: dict, reason: str, permanent: bool, now: datetime, source: str) -> Pending:
    data = NotificationDeadLetteredV1(
        message_id=state["message_id"], channel=state["channel"], language=state["language"], category=state["category"],
        attempts=state.get("attempts", 0), permanent=permanent, reason=reason[:1000], at=now,
    )
    event = new_event(data, source=source, subject=state["message_id"], event_id=derived_event_id(state["message_id"], "dead_lettered"), time=now)
    return Pending.of(NOTIFICATIONS_DEADLETTER, event)


def to_status(status: str, now: datetime, source: str, outcome: DeliveryOutcome | None = None, **fields):
    """Move a message that is not final yet (sending → sent, scheduled → expired, …)."""

    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] in FINAL:
            return None
        state = {**current, **fields, "status": status, "updated_at": now}
        return Decision(state, [counted(state, outcome, now, source)] if outcome else [])

    return decide


def start_sending(expected_status: str, now: datetime, requested: Pending | None, via: str):
    """scheduled → sending (adapters) or → sent (topics-only); the rendered request joins the outbox once."""

    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] != expected_status:
            return None
        state = {**current, "attempts": current["attempts"] + 1, "updated_at": now, "via": via}
        events = []
        if requested is not None and not current.get("requested"):
            state["requested"] = True
            events.append(requested)
        if via == "topic":
            state.update(status="sent", sent_at=now)
        else:
            state.update(status="sending", sending_since=now)
        return Decision(state, events)

    return decide


def after_failure(now: datetime, source: str, reason: str, permanent: bool, max_attempts: int, retry_at: datetime):
    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] in FINAL:
            return None
        give_up = permanent or current["attempts"] >= max_attempts or retry_at >= current["expires_at"]
        if not give_up:
            return Decision({**current, "status": "scheduled", "due_at": retry_at, "last_error": reason[:300], "updated_at": now})
        state = {**current, "status": "failed", "last_error": reason[:300], "failed_at": now, "updated_at": now}
        return Decision(state, [dead_letter(state, reason, permanent, now, source), counted(state, DeliveryOutcome.failed, now, source)])

    return decide


def withdrawn(now: datetime, why: str):
    """scheduled → cancelled (``cancelled_because``: ``why``): a waiting message its cause no longer
    wants. A message ``sending`` is being handed over and is left to finish."""

    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] != "scheduled":
            return None
        return Decision({**current, "status": "cancelled", "cancelled_because": why, "updated_at": now})

    return decide


def postpone(until: datetime, now: datetime, why: str):
    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] != "scheduled":
            return None
        return Decision({**current, "due_at": until, "waiting_for": why, "updated_at": now})

    return decide


class Messages:
    def __init__(self, store: AggregateStore):
        self.store = store
        store.lift_fields(lift)
        self._due = wake.Walk(store.collection, "scheduled")
        self._stale = wake.Walk(store.collection, "sending")

    async def create(self, new: NewMessage, now: datetime) -> bool:
        """True if created now; False if a message with this id existed (nothing is sent twice).
        Inserted without a read first (the id is new but for a redelivered cause, whose insert the
        unique ``_id`` refuses): a confirmed registration's reminder is one round trip, not two."""
        return await self.store.change(new.message_id, create(new, now), expect_new=True) is not None

    async def create_many(self, news: list[NewMessage], now: datetime) -> set[str]:
        """``create`` for many in one ``insert_many``; returns the ids created now (existing ones stay)."""
        decisions = {n.message_id: create(n, now)(None, 0) for n in news}
        return await self.store.create_many(decisions)

    async def withdraw(self, registration_id: str, now: datetime, why: str = "registration_cancelled") -> int:
        """End every message to this registrant still waiting (``scheduled``), each through its keyed
        writer; found by the lifted ``registration_id`` (one backed query, none per message).
        Returns how many ended now; a repeat ends none."""
        ids = [d["_id"] async for d in self.store.collection.find({WAITING_FOR: registration_id}, {"_id": 1})]
        return await self.withdraw_ids(ids, now, why)

    async def withdraw_ids(self, message_ids, now: datetime, why: str = "registration_cancelled") -> int:
        """``withdraw`` for messages known by id (a fan-out's page, whose registrant cancelled while
        the page was made); one not there or not waiting is left as it is."""
        return sum([await self.store.change(mid, withdrawn(now, why)) is not None for mid in message_ids])

    async def due(self, now: datetime, limit: int = 50) -> list[dict]:
        return await self._due.waiting(now, limit, "due_at")

    async def stale_sending(self, older_than: datetime, limit: int = 500) -> list[dict]:
        """Messages marked ``sending`` before ``older_than`` (or before the mark carried a time)."""
        return await self._stale.waiting(older_than, limit, "sending_since")

    async def get(self, mid: str) -> dict | None:
        doc = await self.store.get(mid)
        return doc["state"] if doc else None
