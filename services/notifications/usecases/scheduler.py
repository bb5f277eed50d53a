"""Messages scheduled, one or many: each created once (its id follows from its cause, recipient
and template), given its time by the quiet hours, and sent through the one pipeline
(``Sender``) when it is due. ``Triggers`` (usecases/triggers.py) schedules through it.

- ``schedule``: one message; due now, it goes with the others due now (``SendTogether``).
- ``fan_out_page``: one page of a fan-out — the messages of one cause (or of one group: a
  session's reminders) to a page of a session's registrants — kept in one document
  (domain/pages.py): created, marked and recorded with one write each.
"""

from datetime import datetime

import structlog

from services.notifications.adapters.messages import Messages
from services.notifications.domain import quiet_hours as q
from services.notifications.domain.messages import MessageState, NewMessage, created
from services.notifications.domain.pages import fan_out_page_id
from services.notifications.settings import NotificationsSettings
from services.notifications.usecases.clock import Clock
from services.notifications.usecases.send_together import SendTogether
from services.notifications.usecases.sending import Sender
from services.notifications.usecases.withdrawals import Watch
from shared.db.keyed_lock import KeyedLocks

log = structlog.get_logger(__name__)


class MessageScheduler:
    def __init__(self, settings: NotificationsSettings, messages: Messages, now: Clock, sender: Sender, send_together: SendTogether,
                 fan_outs: KeyedLocks):
        self.settings, self.messages, self.now = settings, messages, now
        self.sender, self.send_together = sender, send_together
        self.fan_outs = fan_outs  # one fan-out of a cause at a time (usecases/triggers.py)

    @property
    def window(self) -> q.Window:
        s = self.settings
        return q.Window(s.quiet_end_hour, s.quiet_start_hour)

    def _new(self, now: datetime, *, cause: str, channel: str, category: str, language: str, kind: str, key: str, context: dict,
             due: datetime | None = None, session_start: datetime | None = None, edition_id: str | None = None) -> tuple[NewMessage, bool]:
        t = q.timing(now=now, channel=channel, category=category, due=due, session_start=session_start, window=self.window)
        return NewMessage(cause, channel, category, language, kind, key, context, t.not_before, t.expires_at, edition_id), t.urgent

    async def schedule(self, **message) -> str:
        now = self.now()
        new, urgent = self._new(now, **message)
        if new.not_before <= now:
            await self.send_together(new)
        elif await self.messages.create([new], now):
            log.info("message_scheduled", message_id=new.message_id, category=new.category, channel=new.channel, urgent=urgent)
        return new.message_id

    def fan_out_news(self, messages: list[dict], existing: set[str], watch: Watch | None) -> list[NewMessage]:
        """A fan-out page's new messages: not one made before (``existing``: the cause's, read as
        the fan-out began) nor one to a registration cancelled since (``watch``)."""
        now = self.now()
        return [n for n in (self._new(now, **kw)[0] for kw in messages) if n.message_id not in existing and not _told(watch, n)]

    async def fan_out_page(self, cause: str, news: list[NewMessage], contacts: dict[str, dict], watch: Watch | None) -> None:
        """One page of a fan-out, in one document: created (those due now marked ``sending``),
        handed over and recorded. ``contacts``: the page's registrants' contacts, read at once.
        ``watch``: the session's registrations cancelled since the fan-out began (withdrawals.py),
        whose messages are not handed over, or end ``cancelled`` if they wait."""
        now = self.now()
        states: dict[str, MessageState] = {n.message_id: created(n, now) for n in news}
        page_id = fan_out_page_id(cause, states)
        written = await self.sender.send({page_id: states}, new=True, cause=cause, contacts=contacts, watch=watch)
        told = [mid for mid, s in states.items() if _told(watch, s)]
        if told:
            await self.messages.withdraw_in(page_id, told, self.now())
        log.info("fan_out_page", page_id=page_id, messages=len(states), made=len(written))


def _told(watch: Watch | None, message: NewMessage | MessageState) -> bool:
    if watch is None:
        return False
    if isinstance(message, NewMessage):
        return watch.withdrawn(message.recipient_kind, message.recipient_key)
    return watch.withdrawn(*message["recipient"]["key"].split(":", 1))
