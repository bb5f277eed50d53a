"""Messages due now from handlers running side by side, created and sent together.

A registration rush gives notifications one confirmation per event, each from its own handler
(the consumer takes a session's events in order and several sessions side by side). One at a
time, a confirmation took ``Dispatcher.process``'s path: some twelve database round trips
(created, read back with its opt-out, contact, session and registration, written ``sending`` and
``sent``, its outbox marked twice) with the handler waiting for the SMTP server; 5,000 residents
waited up to 318 s for their e-mail. Here the messages that come due while a group is being
created wait for it and go as the next group through ``batch_send.send_new`` (one
``insert_many``, the outcomes in bulk): group commit, as the seat desk does for registrations,
so a lone message goes at once and a burst in groups, with no timer.

A caller returns once its message is created — durable, marked ``sending`` — not once it is
handed over: its consumer then commits the event and takes the session's next one while the
group is handed to the SMTP server and the SMS gateway (at most ``max_groups`` groups at once).
A crash from then on leaves the message ``sending`` for ``reclaim``, which sends it again with
the same id (docs/notifications.md, "Never twice"), as after a crash in any other hand-over. A
group that fails before its messages are created fails each of its callers, whose handlers
retry as for any failure. A message that exists already (a redelivery) is not created again and
follows its own path (``send_new``).
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog

from services.notifications.messages import NewMessage
from shared.group_commit import GroupCommit

log = structlog.get_logger(__name__)

# (messages, now, created_all) → created and handed over; ``created_all()`` once all are created
Send = Callable[[list[NewMessage], datetime, Callable[[], None]], Awaitable[None]]


class SendTogether:
    def __init__(self, send: Send, now: Callable[[], datetime], max_group: int = 200, max_groups: int = 4):
        self._send = send
        self._now = now
        self._max_groups = max_groups
        self._handing_over: set[asyncio.Task] = set()
        self._groups: GroupCommit[NewMessage, None] = GroupCommit(self._create, max_group, "notifications-send-together", before_group=self._room)

    async def __call__(self, new: NewMessage) -> None:
        """Create ``new`` (due now) with the messages other handlers have due now, and send it."""
        await self._groups(new)

    async def stop(self) -> None:
        """Let the groups being handed over finish (a stopping service drains), then stop."""
        if self._handing_over:
            await asyncio.wait(self._handing_over, timeout=30)
        for task in list(self._handing_over):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task

    async def _room(self) -> None:
        """At most ``max_groups`` groups handed over at once: the next group waits to be taken."""
        while len(self._handing_over) >= self._max_groups:
            await asyncio.wait(self._handing_over, return_when=asyncio.FIRST_COMPLETED)

    async def _create(self, news: list[NewMessage]) -> list[None]:
        """Start the group's send; return (answering its callers) once its messages are created."""
        created = asyncio.Event()
        task = asyncio.create_task(self._send(news, self._now(), created.set), name="notifications-group")
        self._handing_over.add(task)
        task.add_done_callback(self._handed_over)
        waiting = asyncio.create_task(created.wait())
        try:
            await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
        if not created.is_set():
            if task.cancelled():
                raise asyncio.CancelledError()
            if task.exception() is not None:  # nothing created: the callers' handlers retry
                raise task.exception()
        # created, or done with nothing left to create (each existed, or went to ``process``)
        return [None] * len(news)

    def _handed_over(self, task: asyncio.Task) -> None:
        self._handing_over.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # (after creation the messages stay ``sending``, and ``reclaim`` sends them again)
            log.warning("group_send_failed", error=f"{type(task.exception()).__name__}: {task.exception()}"[:300])
