"""Messages due now from handlers running side by side, created and sent together.

A registration rush gives notifications one confirmation per event, each from its own handler
(the consumer runs up to its concurrency of sessions at once). One at a time, a confirmation
takes ``Dispatcher.process``'s path: some twelve database round trips (created, read back with
its opt-out, contact, session and registration, written ``sending`` and ``sent``, its outbox
marked twice); 5,000 residents waited up to 318 s for their e-mail. Here the messages due while
a group is being sent wait for it and go out as the next group through ``batch_send.send_new``
(one ``insert_many``, the outcomes in bulk, one marking each): group commit, as the seat desk
does for registrations, so a lone message goes at once and a burst in groups, with no timer.

Each caller returns once its group is done, so its consumer commits the event only after the
message is created (and, when its recipient is known, handed over); a failed group fails each
of its callers, whose handlers retry as for any failure. A message that exists already (a
redelivery) is not created again and follows its own path (``send_new``).
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from services.notifications.messages import NewMessage

Send = Callable[[list[NewMessage], datetime], Awaitable[None]]


class SendTogether:
    def __init__(self, send: Send, now: Callable[[], datetime], max_group: int = 200):
        self._send = send
        self._now = now
        self._max_group = max_group
        self._waiting: list[tuple[NewMessage, asyncio.Future]] = []
        self._sending: asyncio.Task | None = None

    async def __call__(self, new: NewMessage) -> None:
        """Create and send ``new`` (due now) with the messages other handlers have due now."""
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((new, done))
        if self._sending is None:
            self._sending = asyncio.create_task(self._drain(), name="notifications-send-together")
        await done

    async def _drain(self) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting[: self._max_group], self._waiting[self._max_group :]
                try:
                    await self._send([new for new, _ in group], self._now())
                except Exception as e:  # every caller of the group hears it, and its handler retries
                    _settle(group, e)
                except BaseException:
                    _settle(group, None)
                    raise
                else:
                    _settle(group, None, ok=True)
        except BaseException:  # cancelled (the service stops): no caller waits forever
            _settle(self._waiting, None)
            self._waiting = []
            raise
        finally:
            self._sending = None


def _settle(group: list[tuple[NewMessage, asyncio.Future]], error: Exception | None, ok: bool = False) -> None:
    """Answer a group's callers: done (``ok``), failed with ``error``, or else cancelled."""
    for _, done in group:
        if done.done():
            continue
        if ok:
            done.set_result(None)
        elif error is not None:
            done.set_exception(error)
        else:
            done.cancel()
