"""One lock per aggregate id: the in-process half of "one writer per document".

FerretDB loses concurrent updates to one document (docs/decisions/0001-one-writer-per-document.md),
so every path that changes an aggregate takes this lock first. Locks exist only
while someone holds or waits for them, so memory follows concurrency, not the number of ids.

A task that holds a key may hold it again (a use case holding a session changes that session
through its store): the inner hold takes nothing and gives nothing back.
"""

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Protocol


class KeyedLocks(Protocol):
    """What a store or a use case needs of a keyed lock: this module's, in one process, or
    ``shared/db/leases.py``'s, across a service's replicas."""

    def hold(self, key: str) -> AbstractAsyncContextManager[None]: ...

    def hold_all(self, keys: Iterable[str]) -> AbstractAsyncContextManager[None]: ...


class KeyedLock:
    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._holders: dict[str, asyncio.Task | None] = {}

    def held_here(self, key: str) -> bool:
        """Whether the running task holds ``key`` already."""
        return key in self._holders and self._holders[key] is asyncio.current_task()

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        if self.held_here(key):
            yield
            return
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                self._holders[key] = asyncio.current_task()
                try:
                    yield
                finally:
                    del self._holders[key]
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    @asynccontextmanager
    async def hold_all(self, keys: Iterable[str]) -> AsyncIterator[None]:
        """The locks of every key, taken in sorted order so two batches cannot wait for each other."""
        async with AsyncExitStack() as held:
            for key in sorted(set(keys)):
                await held.enter_async_context(self.hold(key))
            yield

    def __len__(self) -> int:
        return len(self._locks)
