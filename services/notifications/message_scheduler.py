"""Messages scheduled, one or many: each created once (its id follows from its cause, recipient
and template), given its time by the quiet hours, and handed to the sender when it is due.
``Triggers`` (services/notifications/triggers.py) schedules through it."""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

import structlog

from services.notifications import quiet_hours as q
from services.notifications.messages import NewMessage
from services.notifications.parts import Parts
from services.notifications.read_at_once import SessionContacts
from services.notifications.withdrawals import Watch

log = structlog.get_logger(__name__)


async def each(items: Iterable, fn: Callable[..., Awaitable], concurrency: int) -> list:
    """``fn(item)`` for every item, ``concurrency`` at a time; their results, in the items' order.
    A change to a session with many registrants is one message per person, each its own document
    (its own keyed writer), so they need not wait for one another; one-at-a-time was ~15 messages/s."""
    gate = asyncio.Semaphore(concurrency)

    async def one(item):
        async with gate:
            return await fn(item)

    return await asyncio.gather(*(one(i) for i in items))


class MessageScheduler:
    """Schedules messages for ``Triggers``; main.py wires in how a due one is sent."""

    def __init__(self, parts: Parts):
        self.parts = parts
        self.kick = None  # the dispatcher's ``process``: a due message goes out at once
        self.send_new = None  # (news, now) → created and sent a page at a time (batch_send.py; adapters mode)
        self.send_together = None  # a message due now, created and sent with the others due now (send_together.py; adapters mode)

    @property
    def window(self) -> q.Window:
        s = self.parts.settings
        return q.Window(s.quiet_end_hour, s.quiet_start_hour)

    def _new(self, now: datetime, *, cause: str, channel: str, category: str, language: str, kind: str, key: str, context: dict,
             due: datetime | None = None, session_start: datetime | None = None, edition_id: str | None = None) -> tuple[NewMessage, bool]:
        t = q.timing(now=now, channel=channel, category=category, due=due, session_start=session_start, window=self.window)
        return NewMessage(cause, channel, category, language, kind, key, context, t.not_before, t.expires_at, edition_id), t.urgent

    async def _kick(self, message_id: str) -> bool:
        try:
            await self.kick(message_id)
            return True
        except Exception as e:  # the timer loop tries again; the trigger is taken
            log.warning("dispatch_failed", message_id=message_id, error=f"{type(e).__name__}: {e}"[:300])
            return False

    async def schedule(self, **message) -> str:
        now = self.parts.now()
        new, urgent = self._new(now, **message)
        if self.send_together is not None and new.not_before <= now:
            await self.send_together(new)
            return new.message_id
        if await self.parts.messages.create(new, now):
            log.info("message_scheduled", message_id=new.message_id, category=new.category, channel=new.channel, urgent=urgent)
            if self.kick is not None and new.not_before <= now:
                await self._kick(new.message_id)
        return new.message_id

    async def schedule_many(self, messages: list[dict], chunk: int = 1_000, contacts: SessionContacts | None = None, watch: Watch | None = None) -> None:
        """``schedule`` for the many messages of one change (one per registrant): created a chunk
        per ``insert_many`` (a read and a write each would be two round trips per person), then
        the due ones handed to the sender ``FAN_OUT_CONCURRENCY`` at a time — or, with
        ``send_new``, created and sent by it with their outcomes written in bulk (``contacts``:
        the session's contacts, of which those sent now are taken at once). ``watch``: the
        session's registrations cancelled since the fan-out began (withdrawals.py), whose
        messages are not made, or end ``cancelled`` if made meanwhile, or are not handed over."""
        for start in range(0, len(messages), chunk):
            now = self.parts.now()
            news = [self._new(now, **kw)[0] for kw in messages[start:start + chunk]]
            if watch is not None:
                news = [n for n in news if not watch.withdrawn(n.recipient_kind, n.recipient_key)]
            if self.send_new is not None:
                later = [n for n in news if n.not_before > now]
                if later:
                    await self.parts.messages.create_many(later, now)
                    await self._withdraw_told(later, watch)
                due = [n for n in news if n.not_before <= now]
                # only what is sent now needs its contact (a reminder waits for its day)
                found = await contacts.take(n.recipient_key for n in due) if contacts is not None and due else None
                await self.send_new(due, now, contacts=found, withdrawn=watch)
                await self._withdraw_told(due, watch)  # those it left waiting (a contact not here yet, …)
                continue
            created = await self.parts.messages.create_many(news, now)
            await self._withdraw_told(news, watch)
            log.info("messages_scheduled", count=len(created), of=len(news))
            due = [n.message_id for n in news if n.message_id in created and n.not_before <= now]
            if self.kick is not None:
                failed: list[str] = []

                async def kick(mid: str) -> None:
                    if not await self._kick(mid):
                        failed.append(mid)

                await each(due, kick, self.parts.settings.fan_out_concurrency)
                # A second chance, one at a time, for those whose database call timed out under the
                # load (a busy connection pool): otherwise they wait for the timer loop, which runs
                # only once the whole fan-out is done. ``process`` goes on only from ``scheduled``.
                for mid in failed:
                    await self._kick(mid)

    async def _withdraw_told(self, news: list[NewMessage], watch: Watch | None) -> None:
        """End the messages just created whose registration the watch learnt was cancelled: the
        cancellation's own sweep (``on_registration``) may have run before they were stored."""
        told = [n.message_id for n in news if watch is not None and watch.withdrawn(n.recipient_kind, n.recipient_key)]
        if told:
            await self.parts.messages.withdraw_ids(told, self.parts.now())
