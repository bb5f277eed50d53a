"""The sender: picks due messages, renders them for their recipient, publishes and delivers them.

For one message (always through ``AggregateStore.change``, so one writer per document):
1. expired → ``expired`` (counted); recipient unknown yet → postponed; opted out or obsolete
   (a reminder for a time the session no longer has) → ``cancelled``;
2. render in the recipient's language; ``scheduled → sending`` with the rendered request
   (``notifications.email.v1`` / ``notifications.sms.v1``) put in the message's outbox once;
3. in ``adapters`` mode deliver (rate-limited per channel), then ``sending → sent`` (counted);
   a temporary failure is retried with exponential backoff, a permanent one (or the last
   attempt) → ``failed`` and a dead letter with the reason. In ``topics-only`` mode step 2 ends
   at ``sent``: external gateways deliver and answer with receipts.

The window of a crash while ``sending`` is closed by ``reclaim`` (at start-up and then
periodically): a message ``sending`` for longer than ``SENDING_LEASE_S`` and not in flight in
this process was left by a process that died; it goes back to ``scheduled`` and is sent again
**with the same id** — an SMS's ``client_ref``, which the gateway protocol deduplicates, an
email's ``Message-ID``, on which receiving systems deduplicate. Nothing is lost; the one window
left for a repeat is an email accepted by the server (``250``) whose ``sent`` mark the crash
prevented (one database write). Before, an email left ``sending`` was assumed sent: a kill during
the SMTP transaction lost it.
"""

import asyncio
import base64
import os
import re
from datetime import datetime, timedelta

import structlog
from aiolimiter import AsyncLimiter

from services.notifications import messages as m
from services.notifications import render as r
from services.notifications import tokens
from services.notifications.adapters import PermanentFailure, TemporaryFailure
from services.notifications.message_ids import derived_event_id
from services.notifications.parts import Parts
from services.notifications.quiet_hours import BOUND_BY_SESSION_START, backoff
from services.notifications.read_at_once import OptOutsAtOnce
from services.notifications.recipients import Recipient, resolve
from shared.decisions import Decision, Pending
from shared.envelope import new_event
from shared.events.notifications import DeliveryOutcome, EmailRequestedV1, SmsRequestedV1
from shared.topics import NOTIFICATIONS_EMAIL, NOTIFICATIONS_SMS

log = structlog.get_logger(__name__)
SESSION_CATEGORIES = {"registration_confirmed", "registration_waitlisted", "registration_promoted", "reminder", "session_changed", "session_cancelled"}
# The registration's copy is read only where it is used: a reminder checks it is still confirmed,
# a waitlisted one says where it stands. The others need the session alone; reading it for each of a
# change's 100,000 messages was one of the few database calls per message. A registrant who cancels
# is not checked for here: the cancellation ends their waiting messages at once
# (``Triggers._withdraw``), an SMS held for the morning by the quiet hours included.
NEEDS_REGISTRATION = {"reminder", "registration_waitlisted"}


EMAILS = re.compile(r"[^\s<>\"']+@[^\s<>\"']+")
NUMBERS = re.compile(r"\+?\d[\d \-]{6,}\d")


def scrub(reason: str, address: str | None) -> str:
    """A server's words may quote the address: reasons and logs never carry it (nor any other)."""
    if address:
        reason = reason.replace(address, "<recipient>")
    return NUMBERS.sub("<number>", EMAILS.sub("<address>", reason))


class Postpone(Exception):
    def __init__(self, why: str):
        self.why = why


class Expired(Exception):
    """Too late now (e.g. the session has started), though the trigger did not know it."""


class Obsolete(Exception):
    def __init__(self, why: str):
        self.why = why


class Dispatcher:
    def __init__(self, parts: Parts, email_adapter=None, sms_adapter=None):
        self.parts = parts
        self.email = email_adapter
        self.sms = sms_adapter
        s = parts.settings
        self.limits = {"email": AsyncLimiter(s.email_per_second, 1), "sms": AsyncLimiter(s.sms_per_second, 1)}
        self.in_flight: set[str] = set()  # marked sending by this process and not finished: never reclaimed
        self.opt_outs_at_once = OptOutsAtOnce(parts.opt_outs.collection)  # a batch's opt-outs in one read (batch_send)

    @property
    def source(self) -> str:
        return self.parts.settings.event_source

    async def recover(self) -> int:
        """At start-up: see ``reclaim``."""
        return await self.reclaim()

    async def reclaim(self) -> int:
        """Messages left ``sending`` past the lease by a process that died: back to ``scheduled``,
        due now, to be sent again with the same id (see the module's docs)."""
        now = self.parts.now()
        older_than = now - timedelta(seconds=self.parts.settings.sending_lease_s)
        count = 0
        for state in await self.parts.messages.stale_sending(older_than):
            if state["message_id"] in self.in_flight:
                continue
            if await self.parts.messages.store.change(state["message_id"], _back_to_scheduled(now, older_than)) is not None:
                count += 1
                log.warning("message_resent_after_crash", message_id=state["message_id"], channel=state["channel"])
        return count

    async def run_due(self) -> int:
        count = 0
        for state in await self.parts.messages.due(self.parts.now()):
            try:
                await self.process(state["message_id"])
                count += 1
            except Exception as e:  # one message's trouble never stops the others
                log.warning("dispatch_failed", message_id=state["message_id"], error=f"{type(e).__name__}: {e}"[:300])
        return count

    async def process(self, message_id: str) -> str | None:
        """Take one message as far as it can go now; returns its new status."""
        parts, now = self.parts, self.parts.now()
        state = await parts.messages.get(message_id)
        if state is None or state["status"] != "scheduled" or state["due_at"] > now:
            return None
        store = parts.messages.store
        if now >= state["expires_at"]:
            await store.change(message_id, m.to_status("expired", now, self.source, DeliveryOutcome.expired))
            return "expired"
        recipient = await resolve(parts, state["recipient"], state["channel"])
        try:
            if recipient.opted_out:
                raise Obsolete("opted_out")
            if recipient.erased:
                raise Obsolete("recipient_erased")
            if recipient.address is None:
                raise Postpone("recipient")  # a registrant's contact may come after the registration
            request = await self.request(state, recipient, now)
        except Expired:
            await store.change(message_id, m.to_status("expired", now, self.source, DeliveryOutcome.expired))
            return "expired"
        except Obsolete as o:
            await store.change(message_id, m.to_status("cancelled", now, self.source, None, cancelled_because=o.why))
            return "cancelled"
        except Postpone as p:
            await store.change(message_id, m.postpone(now + timedelta(seconds=parts.settings.timer_interval_s * 5), now, p.why))
            return "scheduled"
        topic = NOTIFICATIONS_EMAIL if state["channel"] == "email" else NOTIFICATIONS_SMS
        event = new_event(request, source=self.source, subject=message_id, event_id=derived_event_id(message_id, "requested"), time=now)
        adapters = parts.settings.delivery_mode == "adapters"
        started = await store.change(message_id, m.start_sending("scheduled", now, Pending.of(topic, event), "adapter" if adapters else "topic"))
        if started is None:
            return None
        if not adapters:
            await store.change(message_id, _count_sent(now, self.source))
            return "sent"
        adapter = self.email if state["channel"] == "email" else self.sms
        attempts = started["state"]["attempts"]
        if parts.settings.fault_exit_before_send:
            log.warning("fault_exit_before_send", message_id=message_id)
            os._exit(18)  # tests only: the crash between marking sending and handing over
        self.in_flight.add(message_id)
        try:
            return await self._hand_over(state, adapter, request, recipient, attempts, now)
        finally:
            self.in_flight.discard(message_id)

    def outcome(self, failure: TemporaryFailure | PermanentFailure | None, reason: str | None, attempts: int, at: datetime):
        """The decision that records a hand-over's outcome at ``at``: sent, or the failure (scrubbed
        ``reason``) with its retry after the backoff of ``attempts``, or failed for good."""
        if failure is None:
            return m.to_status("sent", at, self.source, DeliveryOutcome.sent, sent_at=at)
        s = self.parts.settings
        retry_at = at + backoff(attempts, s.send_backoff_s, s.send_backoff_max_s)
        return m.after_failure(at, self.source, reason, isinstance(failure, PermanentFailure), s.send_max_attempts, retry_at)

    async def _hand_over(self, state: dict, adapter, request, recipient: Recipient, attempts: int, now: datetime) -> str | None:
        """Deliver a message marked ``sending``, then mark the outcome."""
        parts, store, message_id = self.parts, self.parts.messages.store, state["message_id"]
        try:
            async with self.limits[state["channel"]]:
                await adapter.send(request)
        except (TemporaryFailure, PermanentFailure) as e:
            reason = scrub(str(e), recipient.address)
            # from the failure, not from the start: the send may have waited long (rate limit,
            # timeouts), and a retry time already past would land behind the timer's walk (wake.py)
            doc = await store.change(message_id, self.outcome(e, reason, attempts, parts.now()))
            status = doc["state"]["status"] if doc else None
            log.info("message_not_delivered", message_id=message_id, permanent=isinstance(e, PermanentFailure), status=status, reason=reason[:200])
            return status
        if parts.settings.fault_exit_after_send:
            log.warning("fault_exit_after_send", message_id=message_id)
            os._exit(17)  # tests only: the crash between delivery and marking
        await store.change(message_id, self.outcome(None, None, attempts, now))
        log.info("message_sent", message_id=message_id, channel=state["channel"], category=state["category"])
        return "sent"

    async def context(self, state: dict, recipient: Recipient, now: datetime, sessions: dict | None = None) -> tuple[dict, dict | None]:
        """What the templates need, read now; and the session, for an .ics attachment.

        ``sessions``: a cache for the messages of one page (one read of their session, not one each)."""
        parts, lang, c = self.parts, state["language"], state["context"]
        lang = r.language_for(lang)
        ctx: dict = {"unsubscribe_url": recipient.unsubscribe_url, "manage_url": recipient.manage_url}
        session = None
        category = state["category"]
        if category in SESSION_CATEGORIES:
            if sessions is None:
                session = await parts.copies.get(parts.copies.sessions, c["session_id"])
            else:
                if c["session_id"] not in sessions:  # a task: the page's concurrent callers share one read
                    sessions[c["session_id"]] = asyncio.ensure_future(parts.copies.get(parts.copies.sessions, c["session_id"]))
                session = await asyncio.shield(sessions[c["session_id"]])
            if session is None:
                raise Postpone("session")
            registration = await parts.copies.get(parts.copies.registrations, c["registration_id"]) if category in NEEDS_REGISTRATION else None
            if category in BOUND_BY_SESSION_START and category != "session_cancelled" and now >= datetime.fromisoformat(session["starts_at"]):
                raise Expired()  # the session started (or moved earlier) since the message was made
            if category == "reminder":
                if session["status"] == "cancelled" or session["starts_at"] != c["starts_at"]:
                    raise Obsolete("session_moved_or_cancelled")
                if registration is None or registration["status"] != "confirmed":
                    raise Obsolete("registration_not_confirmed")
            ctx.update(r.session_view(session, lang))
            ctx["position"] = (registration or {}).get("waitlist_position") if category == "registration_waitlisted" else None
            if category == "session_changed" and c.get("previous_starts_at"):
                ctx["previously"] = r.format_when(c["previous_starts_at"], lang)
            if category == "session_cancelled":
                ctx["reason"] = session.get("cancellation_reason")
        elif category == "digest":
            sessions = [await parts.copies.get(parts.copies.sessions, sid) for sid in c["session_ids"]]
            views = [r.session_view(s, lang) for s in sessions if s and s["status"] != "cancelled"]
            if not views:
                raise Obsolete("no_sessions_left")
            ctx.update(views[0])
            ctx["sessions"] = views
        elif category == "organizer_decision":
            ctx.update(what=c["title"], when=r.format_when(c["decided_at"], lang), where="Öppna Malmö, Stadskontoret, Malmö stad", decision=c["decision"], comment=c.get("comment"))
        elif category == "subscription_confirmation":
            if recipient.subscription_status != "pending":
                raise Obsolete("not_pending")
            s = parts.settings
            sid = state["recipient"]["key"].split(":", 1)[1]
            ctx.update(what=c["summary"], when=r.format_when(state["expires_at"], lang), where=s.public_base_url)
            if state["channel"] == "sms":
                ctx["code"] = tokens.sms_code(s.token_secret, sid)
            else:
                ctx["action_url"] = f"{s.public_base_url.rstrip('/')}/v1/subscriptions/confirm?token={tokens.sign(s.token_secret, 'confirm', sid)}"
        return ctx, session

    async def request(self, state: dict, recipient: Recipient, now: datetime, sessions: dict | None = None) -> EmailRequestedV1 | SmsRequestedV1:
        ctx, session = await self.context(state, recipient, now, sessions)
        out = r.render(state["category"], state["language"], ctx)
        common = dict(message_id=state["message_id"], recipient=recipient.address, language=out.language, category=state["category"], not_before=state["not_before"], expires_at=state["expires_at"])
        if state["channel"] == "sms":
            return SmsRequestedV1(**common, text=out.sms, encoding=out.sms_length.encoding, segments=out.sms_length.segments)
        headers = {"List-Unsubscribe": f"<{recipient.unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        if self.parts.settings.unsubscribe_mailto:
            headers["List-Unsubscribe"] += f", <mailto:{self.parts.settings.unsubscribe_mailto}>"
        attachments = []
        if session is not None and state["category"] in ("registration_confirmed", "registration_promoted", "session_changed"):
            data = r.ics(session, state["context"]["session_id"], out.language)
            attachments.append({"filename": "oppna-malmo.ics", "content_type": "text/calendar", "content_base64": base64.b64encode(data).decode()})
        return EmailRequestedV1(**common, subject=out.subject, text=out.text, html=out.html, headers=headers, attachments=attachments)


def _back_to_scheduled(now: datetime, older_than: datetime):
    def decide(current, _v):
        if current is None or current["status"] != "sending":
            return None
        since = current.get("sending_since")
        if since is not None and since > older_than:
            return None  # marked again meanwhile (a live sender): not ours to take
        return Decision({**current, "status": "scheduled", "due_at": now, "updated_at": now, "resent_after_crash": True})

    return decide


def _count_sent(now: datetime, source: str):
    """topics-only: the message is handed to the gateways' topic; count it once."""

    def decide(current, _v):
        if current is None or current.get("counted_sent"):
            return None
        state = {**current, "counted_sent": True}
        return Decision(state, [m.counted(state, DeliveryOutcome.sent, now, source)])

    return decide
