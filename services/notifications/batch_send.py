"""The messages of one change to many people, sent a page at a time with few database round trips.

``Dispatcher.process`` takes one message through some twelve round trips (read it; opt-out,
contact, session, registration; read and write at ``sending``; the relay's marking; read and write
at ``sent``; the relay's marking again): 35–40 messages/s at a fan-out to 100,000. Here, for a page
of new messages that are due now:

1. each is rendered for its recipient (the page's opt-outs, and a fan-out's contacts, read at
   once where that pays, ``read_at_once``; otherwise per person; the session once);
2. those ready are created already ``sending``, the rendered request in their outbox, with one
   ``insert_many`` — the same state ``process`` reaches with two writes; a message that exists
   already (a redelivered change, a fan-out resumed after a crash) is not created and not sent
   here: it follows its own path (the timer, ``reclaim``);
3. they are handed over concurrently (the SMTP adapter keeps a few connections);
4. the outcomes are written in bulk under each message's keyed lock, guarded by the version
   created (``AggregateStore.change_known``: no read), and the relay publishes both writes' events
   with one marking.

A message whose registration was cancelled after the fan-out read it (``withdrawn``: its watch,
told by the cancellation's handler) is not handed over: it ends ``cancelled``
(``registration_cancelled``) with the outcomes.

A message not ready (recipient unknown, opted out, too late) is created ``scheduled`` and given to
``process``, which knows what to do with it. The crash windows are ``process``'s: a message created
``sending`` and not marked is sent again after the lease with the same id (``reclaim``).
"""

import os
from collections.abc import Callable
from datetime import datetime

import structlog

from services.notifications import messages as m
from services.notifications.adapters import PermanentFailure, TemporaryFailure
from services.notifications.dispatcher import Dispatcher, Expired, Obsolete, Postpone, scrub
from services.notifications.message_ids import derived_event_id
from services.notifications.message_scheduler import each
from services.notifications.messages import NewMessage
from services.notifications.read_at_once import Known
from services.notifications.recipients import resolve
from services.notifications.withdrawals import Watch
from shared.decisions import Decision, Pending
from shared.envelope import new_event
from shared.topics import NOTIFICATIONS_EMAIL, NOTIFICATIONS_SMS

log = structlog.get_logger(__name__)
WITHDRAWN = object()  # a hand-over's outcome: not handed over, the registration was cancelled meanwhile
BULK = 25  # writes per bulk_write: FerretDB hung (its PostgreSQL pool exhausted) under bulks of 100 guarded replaces beside the relay


async def send_new(dispatcher: Dispatcher, news: list[NewMessage], now: datetime, created_all: Callable[[], None] | None = None,
                   contacts: dict[str, dict] | None = None, withdrawn: Watch | None = None) -> None:
    """Create and send ``news`` (all due by ``now``); see the module's docs. ``created_all`` is
    called once every message is created (so durable: from then on a crash leaves it to
    ``reclaim``), before the hand-over. ``contacts``: registrants' contact copies the caller read
    at once (a fan-out's page), by registration id. ``withdrawn``: the fan-out's watch of its
    session's cancellations, asked just before each hand-over."""
    parts = dispatcher.parts
    store, concurrency = parts.messages.store, parts.settings.fan_out_concurrency
    states = {n.message_id: m.create(n, now)(None, 0).state for n in news}
    sessions: dict[str, dict | None] = {}  # one read of the session for the page, not one per person
    known = Known(contacts or {}, await dispatcher.opt_outs_at_once.among(s["recipient"]["key"] for s in states.values()))

    async def prepare(state: dict) -> tuple[dict, Decision, object] | None:
        recipient = await resolve(parts, state["recipient"], state["channel"], known)
        if recipient.opted_out or recipient.address is None:
            return None
        try:
            request = await dispatcher.request(state, recipient, now, sessions)
        except (Expired, Obsolete, Postpone):
            return None
        topic = NOTIFICATIONS_EMAIL if state["channel"] == "email" else NOTIFICATIONS_SMS
        event = new_event(request, source=dispatcher.source, subject=state["message_id"], event_id=derived_event_id(state["message_id"], "requested"), time=now)
        started = m.start_sending("scheduled", now, Pending.of(topic, event), "adapter")(state, 1)
        return state, started, (request, recipient)

    prepared = await each(states.values(), prepare, concurrency)
    ready = {p[0]["message_id"]: p for p in prepared if p is not None}
    others = [n for n in news if n.message_id not in ready]
    if others:  # process() decides (expired, cancelled, postponed) as for any message
        for mid in sorted(await parts.messages.create_many(others, now)):
            try:
                await dispatcher.process(mid)
            except Exception as e:  # the timer loop tries again
                log.warning("dispatch_failed", message_id=mid, error=f"{type(e).__name__}: {e}"[:300])
    if not ready:
        return
    dispatcher.in_flight.update(ready)  # marked sending here: reclaim leaves them alone
    try:
        created = await store.insert_new({mid: p[1] for mid, p in ready.items()}, announce=False)
        if parts.settings.fault_exit_before_send and created:
            log.warning("fault_exit_before_send", message_id=min(created))
            os._exit(18)  # tests only: the crash between marking sending and handing over
        if created_all is not None:
            created_all()

        async def hand_over(mid: str):
            state, _started, (request, recipient) = ready[mid]
            adapter = dispatcher.email if state["channel"] == "email" else dispatcher.sms
            try:
                async with dispatcher.limits[state["channel"]]:
                    # asked after the rate limit's wait (a page of 1,000 SMS waits up to 200 s at 5/s)
                    if withdrawn is not None and withdrawn.withdrawn(*state["recipient"]["key"].split(":", 1)):
                        return mid, WITHDRAWN, None
                    await adapter.send(request)
            except (TemporaryFailure, PermanentFailure) as e:
                return mid, e, scrub(str(e), recipient.address)
            return mid, None, None

        outcomes = await each(sorted(created), hand_over, concurrency)
        if parts.settings.fault_exit_after_send and outcomes:
            log.warning("fault_exit_after_send", message_id=outcomes[0][0])
            os._exit(17)  # tests only: the crash between delivery and marking
        decided = parts.now()  # the outcome's time, not the page's: a retry is due after it
        decides = {mid: _cancelled(decided, dispatcher.source) if failure is WITHDRAWN else dispatcher.outcome(failure, reason, 1, decided)
                   for mid, failure, reason in outcomes}
        ids = sorted(decides)
        for start in range(0, len(ids), BULK):
            chunk = ids[start:start + BULK]
            await store.change_known({i: created[i] for i in chunk}, {i: decides[i] for i in chunk})
        sent = sum(1 for _, failure, _ in outcomes if failure is None)
        withheld = sum(1 for _, failure, _ in outcomes if failure is WITHDRAWN)
        log.info("messages_sent", sent=sent, not_delivered=len(outcomes) - sent - withheld, withdrawn=withheld, existed=len(ready) - len(created))
    finally:
        dispatcher.in_flight.difference_update(ready)
        store.announced(ready)


def _cancelled(now: datetime, source: str):
    """sending → cancelled: created ``sending`` by this page and not handed over (its registrant cancelled)."""
    return m.to_status("cancelled", now, source, None, cancelled_because="registration_cancelled")
