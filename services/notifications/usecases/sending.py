"""The one send pipeline: create → render → hand over → record. One message is a batch of one.

``Sender.send(pages)`` takes messages by page (domain/pages.py) — a fan-out's page, messages of
one each grouped by ``SendTogether``, or what the timer found due — and:

1. renders each one due for its recipient (``Contents``; the batch's opt-outs and contacts read
   at once where the caller has them, ``read_at_once``); one no longer worth sending is decided
   here: ``expired`` (counted), ``cancelled`` (opted out, erased, obsolete) or postponed;
2. writes every page once: new messages created (``new``: a message whose id exists is not made
   again, nor sent here), those ready ``scheduled → sending`` with the rendered request in the
   page's outbox (``topics-only``: ``sent`` and counted, the gateways' topic is the hand-over);
3. hands those it marked over to the SMTP and SMS adapters (rate-limited per channel) — not one
   whose registration was cancelled meanwhile (``watch``, withdrawals.py), which ends ``cancelled``;
4. records every outcome, each page in one write: ``sent`` (counted), or a temporary failure's
   retry after the backoff, or ``failed`` with a dead letter.

Never twice: a message id follows from its cause, recipient and template. A crash after step 2
leaves messages ``sending``; ``reclaim`` sends them again after the lease with the same id (an
SMS's ``client_ref``, an e-mail's ``Message-ID``), never while this process has them in flight.
The one window left for a repeat is an e-mail accepted (``250``) whose record the crash
prevented. The fault hooks of the crash tests (``FAULT_EXIT_BEFORE_SEND``, ``..._AFTER_SEND``)
are here, between steps 2 and 3 and steps 3 and 4.
"""

import asyncio
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from aiolimiter import AsyncLimiter

from services.notifications.adapters import PermanentFailure, TemporaryFailure
from services.notifications.adapters.messages import Messages
from services.notifications.adapters.read_at_once import Known, OptOutsAtOnce
from services.notifications.domain import messages as m
from services.notifications.domain.message_ids import derived_event_id
from services.notifications.domain.messages import MessageState
from services.notifications.domain.pages import ItemDecide, if_absent, items_of
from services.notifications.domain.quiet_hours import backoff
from services.notifications.settings import NotificationsSettings
from services.notifications.usecases.clock import Clock
from services.notifications.usecases.content import Contents, Drafts, Expired, Obsolete, Postpone
from services.notifications.usecases.recipients import Recipients
from services.notifications.usecases.withdrawals import Watch
from shared.decisions import Pending
from shared.envelope import new_event
from shared.events.notifications import DeliveryOutcome
from shared.topics import NOTIFICATIONS_EMAIL, NOTIFICATIONS_SMS

log = structlog.get_logger(__name__)
EMAILS = re.compile(r"[^\s<>\"']+@[^\s<>\"']+")
NUMBERS = re.compile(r"\+?\d[\d \-]{6,}\d")
WITHDRAWN = object()  # a hand-over's outcome: not handed over, the registration was cancelled meanwhile


def scrub(reason: str, address: str | None) -> str:
    """A server's words may quote the address: reasons and logs never carry it (nor any other)."""
    if address:
        reason = reason.replace(address, "<recipient>")
    return NUMBERS.sub("<number>", EMAILS.sub("<address>", reason))


async def each(items, fn, concurrency: int) -> list:
    """``fn(item)`` for every item, ``concurrency`` at a time; their results, in the items' order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(item):
        async with gate:
            return await fn(item)

    return await asyncio.gather(*(one(i) for i in items))


@dataclass(frozen=True)
class Prepared:
    """One message's step 1: its change now, and what goes to an adapter (None: nothing)."""

    decide: ItemDecide
    handover: tuple | None = None  # (request, recipient)


def _if_due(decide: ItemDecide, now: datetime) -> ItemDecide:
    """A message the timer found: changed only while still ``scheduled`` and due."""
    return lambda current, v: decide(current, v) if current is not None and current["status"] == "scheduled" and current["due_at"] <= now else None


class Sender:
    def __init__(self, settings: NotificationsSettings, messages: Messages, recipients: Recipients, contents: Contents,
                 opt_outs_at_once: OptOutsAtOnce, now: Clock, email_adapter=None, sms_adapter=None):
        self.settings, self.messages, self.recipients, self.contents, self.now = settings, messages, recipients, contents, now
        self.email, self.sms = email_adapter, sms_adapter
        self.opt_outs_at_once = opt_outs_at_once  # a batch's opt-outs in one read
        s = settings
        self.limits = {"email": AsyncLimiter(s.email_per_second, 1), "sms": AsyncLimiter(s.sms_per_second, 1)}
        self.in_flight: set[str] = set()  # marked sending by this process and not finished: never reclaimed

    @property
    def source(self) -> str:
        return self.settings.event_source

    async def _prepare(self, state: MessageState, now: datetime, known: Known | None, drafts: Drafts) -> Prepared:
        if now >= state["expires_at"]:
            return Prepared(m.to_status("expired", now, self.source, DeliveryOutcome.expired))
        recipient = await self.recipients.resolve(state["recipient"], state["channel"], known)
        try:
            if recipient.opted_out:
                raise Obsolete("opted_out")
            if recipient.erased:
                raise Obsolete("recipient_erased")
            if recipient.address is None:
                raise Postpone("recipient")  # a registrant's contact may come after the registration
            request = await self.contents.request(state, recipient, now, drafts)
        except Expired:
            return Prepared(m.to_status("expired", now, self.source, DeliveryOutcome.expired))
        except Obsolete as o:
            return Prepared(m.to_status("cancelled", now, self.source, None, cancelled_because=o.why))
        except Postpone as p:
            return Prepared(m.postpone(now + timedelta(seconds=self.settings.timer_interval_s * 5), now, p.why))
        topic = NOTIFICATIONS_EMAIL if state["channel"] == "email" else NOTIFICATIONS_SMS
        event = new_event(request, source=self.source, subject=state["message_id"], event_id=derived_event_id(state["message_id"], "requested"), time=now)
        adapters = self.settings.delivery_mode == "adapters"
        decide = m.start_sending("scheduled", now, Pending.of(topic, event, key=state["message_id"]), "adapter" if adapters else "topic", self.source)
        return Prepared(decide, (request, recipient) if adapters else None)

    async def send(self, pages: dict[str, dict[str, MessageState]], *, new: bool, cause: str | None = None, contacts: dict[str, dict] | None = None,
                   watch: Watch | None = None, created: Callable[[], None] | None = None) -> dict[str, MessageState]:
        """Steps 1–4 for the messages of ``pages`` (page id → message id → state); those not due
        yet are only created. ``contacts``: registrants' contacts the caller read at once (a
        fan-out's page), by registration id. ``created`` is called once every page is written (the
        messages are durable: a crash from then on leaves them to ``reclaim``), before the
        hand-over. Returns the states written at step 2."""
        now, s = self.now(), self.settings
        due = [(pid, mid, st) for pid, items in pages.items() for mid, st in items.items() if st["due_at"] <= now]
        known = Known(contacts or {}, await self.opt_outs_at_once.among(st["recipient"]["key"] for _, _, st in due))
        drafts = Drafts()
        prepared = dict(zip([(pid, mid) for pid, mid, _ in due], await each(due, lambda d: self._prepare(d[2], now, known, drafts), s.fan_out_concurrency)))
        decides = {pid: {mid: self._change_of(st, prepared.get((pid, mid)), new, now) for mid, st in items.items()} for pid, items in pages.items()}
        written = await self.messages.change(decides, new=new, cause=cause)
        handing = [(pid, mid) for (pid, mid), p in prepared.items() if p.handover and (written.get(mid) or {}).get("status") == "sending"]
        self.in_flight.update(mid for _, mid in handing)
        try:
            if handing and s.fault_exit_before_send:
                log.warning("fault_exit_before_send", message_id=handing[0][1])
                os._exit(18)  # tests only: the crash between marking sending and handing over
            if created is not None:
                created()
            outcomes = await each(handing, lambda h: self._hand_over(written[h[1]], *prepared[h].handover, watch), s.fan_out_concurrency)
            if outcomes and s.fault_exit_after_send:
                log.warning("fault_exit_after_send", message_id=handing[0][1])
                os._exit(17)  # tests only: the crash between delivery and marking
            await self._record(handing, outcomes, written)
        finally:
            self.in_flight.difference_update(mid for _, mid in handing)
        return written

    @staticmethod
    def _change_of(state: MessageState, prepared: Prepared | None, new: bool, now: datetime) -> ItemDecide:
        if new:
            return if_absent(state, prepared.decide if prepared else None)
        return _if_due(prepared.decide, now) if prepared else (lambda current, v: None)

    async def _hand_over(self, state: MessageState, request, recipient, watch: Watch | None):
        adapter = self.email if state["channel"] == "email" else self.sms
        try:
            async with self.limits[state["channel"]]:
                # asked after the rate limit's wait (a page of 1,000 SMS waits up to 200 s at 5/s)
                if watch is not None and watch.withdrawn(*state["recipient"]["key"].split(":", 1)):
                    return WITHDRAWN, None
                await adapter.send(request)
        except (TemporaryFailure, PermanentFailure) as e:
            return e, scrub(str(e), recipient.address)
        return None, None

    async def _record(self, handing: list[tuple[str, str]], outcomes: list, written: dict[str, MessageState]) -> None:
        at = self.now()  # the outcome's time, not the batch's: a retry is due after it
        decides: dict[str, dict[str, ItemDecide]] = {}
        for (pid, mid), (failure, reason) in zip(handing, outcomes, strict=True):
            if failure is WITHDRAWN:
                decide = m.to_status("cancelled", at, self.source, None, cancelled_because="registration_cancelled")
            else:
                decide = self.outcome(failure, reason, written[mid]["attempts"], at)
            decides.setdefault(pid, {})[mid] = decide
        await self.messages.change(decides)
        sent = sum(1 for failure, _ in outcomes if failure is None)
        withheld = sum(1 for failure, _ in outcomes if failure is WITHDRAWN)
        if outcomes:
            log.info("messages_sent", sent=sent, not_delivered=len(outcomes) - sent - withheld, withdrawn=withheld)
        for (_, mid), (failure, reason) in zip(handing, outcomes, strict=True):
            if failure is not None and failure is not WITHDRAWN:
                log.info("message_not_delivered", message_id=mid, permanent=isinstance(failure, PermanentFailure), reason=reason[:200])

    def outcome(self, failure: TemporaryFailure | PermanentFailure | None, reason: str | None, attempts: int, at: datetime) -> ItemDecide:
        """The decision that records a hand-over's outcome at ``at``: sent, or the failure (scrubbed
        ``reason``) with its retry after the backoff of ``attempts``, or failed for good."""
        if failure is None:
            return m.to_status("sent", at, self.source, DeliveryOutcome.sent, sent_at=at)
        s = self.settings
        retry_at = at + backoff(attempts, s.send_backoff_s, s.send_backoff_max_s)
        return m.after_failure(at, self.source, reason, isinstance(failure, PermanentFailure), s.send_max_attempts, retry_at)

    async def run_due(self, batch: int = 500) -> int:
        """Every message due now (the timer), in batches of at most ``batch``."""
        now, count = self.now(), 0
        found = [(p["page_id"], mid, st) for p in await self.messages.due(now)
                 for mid, st in items_of(p).items() if st["status"] == "scheduled" and st["due_at"] <= now]
        for start in range(0, len(found), batch):
            pages: dict[str, dict[str, MessageState]] = {}
            for pid, mid, st in found[start:start + batch]:
                pages.setdefault(pid, {})[mid] = st
            try:
                await self.send(pages, new=False)
                count += sum(len(items) for items in pages.values())
            except Exception as e:  # one batch's trouble never stops the others
                log.warning("dispatch_failed", messages=sum(len(items) for items in pages.values()), error=f"{type(e).__name__}: {e}"[:300])
        return count

    async def reclaim(self) -> int:
        """Messages left ``sending`` past the lease by a process that died: back to ``scheduled``,
        due now, to be sent again with the same id (see the module's docs). Also at start-up."""
        now = self.now()
        older_than = now - timedelta(seconds=self.settings.sending_lease_s)
        decides = {p["page_id"]: {mid: m.back_to_scheduled(now, older_than) for mid, st in items_of(p).items()
                                  if st["status"] == "sending" and mid not in self.in_flight}
                   for p in await self.messages.stale_sending(older_than)}
        back = await self.messages.change({pid: d for pid, d in decides.items() if d})
        for mid, state in sorted(back.items()):
            log.warning("message_resent_after_crash", message_id=mid, channel=state["channel"])
        return len(back)
