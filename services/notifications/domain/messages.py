"""A message's life, as pure decisions: ``now`` is passed in, nothing is read.

State (``MessageState``): ``{message_id, channel, category, language, recipient: {kind, key},
context, cause, status, due_at, not_before, expires_at, attempts, ...}``. Status moves
``scheduled → sending → sent → delivered`` (or ``failed``, ``expired``, ``cancelled``). A message
lives in a page (domain/pages.py): these decisions take and give one message's state, and the
page applies them to its items. Each returns None where the message is not in the status it
acts on, so a repeat changes nothing.
"""

from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from typing import Any, TypedDict

from services.notifications.domain.message_ids import derived_event_id, message_id
from shared.decisions import Decision, Pending
from shared.envelope import new_event
from shared.events.notifications import DeliveryCountedV1, DeliveryOutcome, NotificationDeadLetteredV1
from shared.topics import NOTIFICATIONS_DEADLETTER, NOTIFICATIONS_DELIVERIES

FINAL = {"sent", "delivered", "failed", "expired", "cancelled"}
# A message's one-use link secret (a feedback survey's token, docs/notifications.md "Feedback"):
# kept only while the message may still be rendered, dropped from its state once it is final, so
# no stored message pairs its recipient with the token after the hand-over.
SECRETS = ("token",)


class Recipient(TypedDict):
    kind: str  # registration | subscription | organizer
    key: str  # "<kind>:<id>"


class MessageState(TypedDict, total=False):
    message_id: str
    channel: str  # email | sms
    category: str
    language: str
    recipient: Recipient
    context: dict[str, Any]
    cause: str
    edition_id: str | None
    status: str  # scheduled | sending | sent | delivered | failed | expired | cancelled
    due_at: datetime
    not_before: datetime
    expires_at: datetime
    attempts: int
    created_at: datetime
    updated_at: datetime
    via: str  # adapter | topic
    requested: bool  # the rendered request went to the gateways' topic (once)
    sending_since: datetime
    sent_at: datetime
    delivered_at: datetime
    failed_at: datetime
    last_error: str
    waiting_for: str
    cancelled_because: str
    resent_after_crash: bool


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

    @cached_property
    def message_id(self) -> str:
        return message_id(self.cause, f"{self.recipient_kind}:{self.recipient_key}:{self.channel}", self.category)


def created(new: NewMessage, now: datetime) -> MessageState:
    """A new message's first state: ``scheduled``, due at its ``not_before``."""
    return MessageState(
        message_id=new.message_id, channel=new.channel, category=new.category, language=new.language,
        recipient=Recipient(kind=new.recipient_kind, key=f"{new.recipient_kind}:{new.recipient_key}"),
        context=new.context, cause=new.cause, edition_id=new.edition_id, status="scheduled", due_at=new.not_before,
        not_before=new.not_before, expires_at=new.expires_at, attempts=0, created_at=now,
    )


def settled(state: MessageState) -> MessageState:
    """``state`` as kept: a final message without its link secrets (``SECRETS``)."""
    context = state.get("context") or {}
    if state.get("status") not in FINAL or not any(k in context for k in SECRETS):
        return state
    return {**state, "context": {k: v for k, v in context.items() if k not in SECRETS}}


def counted(state: dict, outcome: DeliveryOutcome, now: datetime, source: str) -> Pending:
    data = DeliveryCountedV1(
        message_id=state["message_id"], channel=state["channel"], language=state["language"], category=state["category"],
        outcome=outcome, edition_id=state.get("edition_id"), at=now,
    )
    event = new_event(data, source=source, subject=state["message_id"], event_id=derived_event_id(state["message_id"], f"counted:{outcome.value}"), time=now)
    return Pending.of(NOTIFICATIONS_DELIVERIES, event, key=state["message_id"])


def dead_letter(state: dict, reason: str, permanent: bool, now: datetime, source: str) -> Pending:
    data = NotificationDeadLetteredV1(
        message_id=state["message_id"], channel=state["channel"], language=state["language"], category=state["category"],
        attempts=state.get("attempts", 0), permanent=permanent, reason=reason[:1000], at=now,
    )
    event = new_event(data, source=source, subject=state["message_id"], event_id=derived_event_id(state["message_id"], "dead_lettered"), time=now)
    return Pending.of(NOTIFICATIONS_DEADLETTER, event, key=state["message_id"])


def to_status(status: str, now: datetime, source: str, outcome: DeliveryOutcome | None = None, **fields):
    """Move a message that is not final yet (sending → sent, scheduled → expired, …)."""

    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] in FINAL:
            return None
        state = settled({**current, **fields, "status": status, "updated_at": now})
        return Decision(state, [counted(state, outcome, now, source)] if outcome else [])

    return decide


def start_sending(expected_status: str, now: datetime, via: str):
    """``expected_status`` → sending: about to be handed over (``via``: the adapter, or the
    gateways' topic in topics-only mode), one more attempt."""

    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] != expected_status:
            return None
        return Decision({**current, "status": "sending", "sending_since": now, "attempts": current["attempts"] + 1, "updated_at": now, "via": via})

    return decide


def with_request(decide, pending: Pending | None = None):
    """The record of a hand-over whose rendered request went to the gateways' topic: ``decide``'s
    change with the message marked ``requested`` (it is not published again on a later attempt),
    and ``pending`` — the request the broker did not take then — joining the outbox."""

    def recorded(current: dict | None, version: int) -> Decision | None:
        decision = decide(current, version)
        if current is None or (decision is None and current.get("requested")):
            return decision
        state, events, outcome = (decision.state, decision.events, decision.outcome) if decision else (current, [], None)
        return Decision({**state, "requested": True}, [*events, *([pending] if pending else [])], outcome)

    return recorded


def after_failure(now: datetime, source: str, reason: str, permanent: bool, max_attempts: int, retry_at: datetime):
    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] in FINAL:
            return None
        give_up = permanent or current["attempts"] >= max_attempts or retry_at >= current["expires_at"]
        if not give_up:
            return Decision({**current, "status": "scheduled", "due_at": retry_at, "last_error": reason[:300], "updated_at": now})
        state = settled({**current, "status": "failed", "last_error": reason[:300], "failed_at": now, "updated_at": now})
        return Decision(state, [dead_letter(state, reason, permanent, now, source), counted(state, DeliveryOutcome.failed, now, source)])

    return decide


def withdrawn(now: datetime, why: str):
    """scheduled → cancelled (``cancelled_because``: ``why``): a waiting message its cause no longer
    wants. A message ``sending`` is being handed over and is left to finish."""

    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] != "scheduled":
            return None
        return Decision(settled({**current, "status": "cancelled", "cancelled_because": why, "updated_at": now}))

    return decide


def postpone(until: datetime, now: datetime, why: str):
    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] != "scheduled":
            return None
        return Decision({**current, "due_at": until, "waiting_for": why, "updated_at": now})

    return decide


def back_to_scheduled(now: datetime, older_than: datetime):
    """sending → scheduled, due now: left ``sending`` past the lease by a process that died, to be
    sent again with the same id."""

    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] != "sending":
            return None
        since = current.get("sending_since")
        if since is not None and since > older_than:
            return None  # marked again meanwhile (a live sender): not ours to take
        return Decision({**current, "status": "scheduled", "due_at": now, "updated_at": now, "resent_after_crash": True})

    return decide
