"""The one send pipeline: create → render → hand over → record. One message is a batch of one.

``Sender.send(pages)`` takes messages by page (domain/pages.py) — a fan-out's page, messages of
one each grouped by ``SendTogether``, or what the timer found due — and:

1. renders each one due for its recipient (``Contents``; the batch's opt-outs and contacts read
   at once where the caller has them, ``read_at_once``); one no longer worth sending is decided
   here: ``expired`` (counted), ``cancelled`` (opted out, erased, obsolete) or postponed;
2. writes every page once: new messages created (``new``: a message whose id exists is not made
   again, nor sent here), those ready ``scheduled → sending``;
3. hands those it marked over: first their rendered requests to the gateways' topics
   (``notifications.email.v1``/``.sms.v1``, once per message: ``requested``), then, in ``adapters``
   mode, each e-mail to the SMTP adapter and the SMS in batches to the gateway (rate-limited per
   channel) — not one whose registration was cancelled meanwhile (``watch``, withdrawals.py),
   which ends ``cancelled``. In ``topics-only`` mode the topic is the hand-over;
4. records every outcome, each page in one write: ``sent`` (counted), or a temporary failure's
   retry after the backoff, or ``failed`` with a dead letter.

The rendered requests are published by the pipeline, not kept in the page's outbox: the page is
``sending`` until step 4, and a crash before it sends them again (``reclaim``), so nothing waits
in the database for them. Where the broker does not take them at step 3 (``adapters`` mode), they
join the page's outbox at step 4 and the relay publishes them (``topics-only``: the hand-over
failed, and is retried).

Never twice: a message id follows from its cause, recipient and template. A crash after step 2
leaves messages ``sending``; ``reclaim`` sends them again after the lease with the same id (an
SMS's ``client_ref``, an e-mail's ``Message-ID``), never while this process has them in flight.
The one window left for a repeat is an e-mail accepted (``250``) whose record the crash
prevented. The fault hooks of the crash tests (``FAULT_EXIT_BEFORE_SEND``, ``..._AFTER_SEND``)
are here, between steps 2 and 3 and steps 3 and 4.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

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
from services.notifications.usecases.handover import WITHDRAWN, Handover, HandOver, Publish, each
from services.notifications.usecases.recipients import Recipients
from services.notifications.usecases.withdrawals import Watch
from shared.decisions import Pending
from shared.envelope import new_event
from shared.events.notifications import DeliveryOutcome
from shared.topics import NOTIFICATIONS_EMAIL, NOTIFICATIONS_SMS

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Prepared:
    """One message's step 1: its change now, and what step 3 hands over (None: nothing)."""

    decide: ItemDecide
    handover: Handover | None = None


def _if_due(decide: ItemDecide, now: datetime) -> ItemDecide:
    """A message the timer found: changed only while still ``scheduled`` and due."""
    return lambda current, v: decide(current, v) if current is not None and current["status"] == "scheduled" and current["due_at"] <= now else None


class Sender:
    def __init__(self, settings: NotificationsSettings, messages: Messages, recipients: Recipients, contents: Contents,
                 opt_outs_at_once: OptOutsAtOnce, now: Clock, publish: Publish, email_adapter=None, sms_adapter=None):
        self.settings, self.messages, self.recipients, self.contents, self.now = settings, messages, recipients, contents, now
        self.hand_over = HandOver(settings, publish, email_adapter, sms_adapter)
        self.opt_outs_at_once = opt_outs_at_once  # a batch's opt-outs in one read
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
        requested = None
        if not state.get("requested"):
            topic = NOTIFICATIONS_EMAIL if state["channel"] == "email" else NOTIFICATIONS_SMS
            mid = state["message_id"]
            requested = (topic, new_event(request, source=self.source, subject=mid, event_id=derived_event_id(mid, "requested"), time=now), mid)
        via = "adapter" if self.settings.delivery_mode == "adapters" else "topic"
        return Prepared(m.start_sending("scheduled", now, via), Handover(request, recipient, requested))

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
            outcomes, published = await self.hand_over([(written[h[1]], prepared[h].handover) for h in handing], watch)
            if outcomes and s.fault_exit_after_send:
                log.warning("fault_exit_after_send", message_id=handing[0][1])
                os._exit(17)  # tests only: the crash between delivery and marking
            await self._record(handing, outcomes, written, {h: prepared[h].handover.requested for h in handing}, published)
        finally:
            self.in_flight.difference_update(mid for _, mid in handing)
        return written

    @staticmethod
    def _change_of(state: MessageState, prepared: Prepared | None, new: bool, now: datetime) -> ItemDecide:
        if new:
            return if_absent(state, prepared.decide if prepared else None)
        return _if_due(prepared.decide, now) if prepared else (lambda current, v: None)

    async def _record(self, handing: list[tuple[str, str]], outcomes: list, written: dict[str, MessageState],
                      requested: dict[tuple[str, str], tuple | None], published: bool) -> None:
        """Step 4: each outcome, each page in one write; a request handed to the topic now marked
        ``requested``, or, where the broker did not take it (``adapters`` mode), into the outbox."""
        at = self.now()  # the outcome's time, not the batch's: a retry is due after it
        decides: dict[str, dict[str, ItemDecide]] = {}
        for (pid, mid), (failure, reason) in zip(handing, outcomes, strict=True):
            if failure is WITHDRAWN:
                decide = m.to_status("cancelled", at, self.source, None, cancelled_because="registration_cancelled")
            else:
                decide = self.outcome(failure, reason, written[mid]["attempts"], at)
            if (request := requested[(pid, mid)]) is not None and (published or self.settings.delivery_mode == "adapters"):
                decide = m.with_request(decide, None if published else Pending.of(*request))
            decides.setdefault(pid, {})[mid] = decide
        await self.messages.change(decides, record=True)
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
