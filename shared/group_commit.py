"""Group commit: items from callers running side by side, written together, each caller answered.

A lone item is written at once; those that arrive while a group is being written wait and go
together as the next group, so a burst costs a few writes and nothing waits on a timer. Used
where one write per event was the cost: new documents (``shared/db/inserts.InsertTogether``) and
the messages due at once in notifications (``send_together.py``).

``write(items)`` returns one result per item, in order, and each caller gets its own. A write
that raises fails each caller of its group (their handlers retry as for any failure) and the
next group goes on; a group cancelled from inside the write cancels its callers. If the drain
itself is cancelled (the service stops), every waiting caller is cancelled: none waits forever.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    def __init__(self, write: Callable[[list[T]], Awaitable[list[R]]], max_group: int, name: str,
                 before_group: Callable[[], Awaitable[None]] | None = None):
        self._write = write
        self._max_group = max_group
        self._name = name
        self._before_group = before_group  # awaited before each group is taken (backpressure)
        self._waiting: list[tuple[T, asyncio.Future]] = []
        self._draining: asyncio.Task | None = None

    async def __call__(self, item: T) -> R:
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if self._draining is None:
            self._draining = asyncio.create_task(self._drain(), name=self._name)
        return await done

    async def _drain(self) -> None:
        try:
            while self._waiting:
                if self._before_group is not None:
                    await self._before_group()
                group, self._waiting = self._waiting[: self._max_group], self._waiting[self._max_group :]
                try:
                    results = await self._write([item for item, _ in group])
                except asyncio.CancelledError:
                    _answer(group)
                    if asyncio.current_task().cancelling():  # the drain itself is cancelled
                        raise
                except Exception as e:
                    _answer(group, error=e)
                else:
                    _answer(group, results=results)
        except BaseException:  # cancelled: no caller waits forever
            _answer(self._waiting)
            self._waiting = []
            raise
        finally:
            self._draining = None


def _answer(group: list[tuple[object, asyncio.Future]], results: list | None = None, error: Exception | None = None) -> None:
    """Each caller of a group: its result, the group's ``error``, or else cancelled."""
    for n, (_, done) in enumerate(group):
        if done.done():
            continue
        if results is not None:
            done.set_result(results[n])
        elif error is not None:
            done.set_exception(error)
        else:
            done.cancel()


class KeyedGroupCommit(Generic[T, R]):
    """One ``GroupCommit`` per key: items of one key go together, keys side by side.

    ``write(key, items)`` writes one key's group (a session's registrations as one change of the
    session, say). A key's group commit exists while it has items waiting or being written, so
    memory follows what is in flight, not the number of keys ever seen.
    """

    def __init__(self, write: Callable[[str, list[T]], Awaitable[list[R]]], max_group: int, name: str):
        self._write = write
        self._max_group = max_group
        self._name = name
        self._groups: dict[str, tuple[GroupCommit[T, R], int]] = {}

    async def __call__(self, key: str, item: T) -> R:
        group, users = self._groups.get(key) or (GroupCommit(lambda items: self._write(key, items), self._max_group, f"{self._name}:{key}"), 0)
        self._groups[key] = (group, users + 1)
        try:
            return await group(item)
        finally:
            group, users = self._groups[key]
            if users == 1:
                del self._groups[key]
            else:
                self._groups[key] = (group, users - 1)

    def __len__(self) -> int:
        return len(self._groups)
