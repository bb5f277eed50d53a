"""Messages due now from handlers running side by side, created and sent together.

A registration rush gives notifications one confirmation per event, each from its own handler
(the consumer takes a session's events in order and several sessions side by side). Each is a
page of one; those that come due while a group of their channel is being created wait for it and
go as the next group through the send pipeline (``Sender.send``: the pages created in one bulk
write, their outcomes in another): group commit per channel (``KeyedGroupCommit``), so a lone
message goes at once and a burst in groups, with no timer.

A caller returns once its message is created — durable, marked ``sending`` — not once it is
handed over: its consumer then commits the event and takes the session's next one while the
group is handed to the SMTP server and the SMS gateway (at most ``max_groups`` groups at once).
A crash from then on leaves the message ``sending`` for ``reclaim``, which sends it again with
the same id (docs/notifications.md, "Never twice"). A group that fails before its messages are
created fails each of its callers, whose handlers retry as for any failure. A message that exists
already (a redelivery) is not created again, nor sent here.
"""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

import structlog

from services.notifications.domain.messages import NewMessage, created
from services.notifications.usecases.sending import Sender
from shared.group_commit import KeyedGroupCommit

log = structlog.get_logger(__name__)


class SendTogether:
    def __init__(self, sender: Sender, now: Callable[[], datetime], max_group: int = 200, max_groups: int = 4):
        self._sender = sender
        self._now = now
        self._max_groups = max_groups
        self._handing_over: set[asyncio.Task] = set()
        self._groups: KeyedGroupCommit[NewMessage, None] = KeyedGroupCommit(self._create, max_group, "notifications-send-together")

    async def __call__(self, new: NewMessage) -> None:
        """Create ``new`` (due now) with the messages of its channel other handlers have due now, and send it."""
        await self._groups(new.channel, new)

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

    async def _create(self, _channel: str, news: list[NewMessage]) -> list[None]:
        """Start the group's send; return (answering its callers) once its messages are created."""
        await self._room()
        now = self._now()
        pages = {n.message_id: {n.message_id: created(n, now)} for n in news}
        done = asyncio.Event()
        task = asyncio.create_task(self._sender.send(pages, new=True, created=done.set), name="notifications-group")
        self._handing_over.add(task)
        task.add_done_callback(self._handed_over)
        waiting = asyncio.create_task(done.wait())
        try:
            await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
        if not done.is_set():
            if task.cancelled():
                raise asyncio.CancelledError()
            if task.exception() is not None:  # nothing created: the callers' handlers retry
                raise task.exception()
        return [None] * len(news)

    def _handed_over(self, task: asyncio.Task) -> None:
        self._handing_over.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # (after creation the messages stay ``sending``, and ``reclaim`` sends them again)
            log.warning("group_send_failed", error=f"{type(task.exception()).__name__}: {task.exception()}"[:300])
