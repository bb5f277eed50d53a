"""The use cases' clock: what ``now`` is, read in one place (tests move it)."""

from collections.abc import Callable
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


class Clock:
    def __init__(self, source: Callable[[], datetime] = utcnow):
        self.source = source

    def __call__(self) -> datetime:
        # Millisecond precision: what MongoDB keeps, so values read back compare equal.
        n = self.source()
        return n.replace(microsecond=n.microsecond // 1000 * 1000)
