"""One lock per aggregate id: the in-process half of "one writer per document".

FerretDB loses concurrent updates to one document (docs/decisions/0001-one-writer-per-document.md),
so every path that changes an aggregate takes this lock first. Locks exist only
while someone holds or waits for them, so memory follows concurrency, not the number of ids.
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

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
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
