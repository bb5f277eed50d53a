"""The retention rule applied: ``domain.retention.past_retention`` on a timer in the one scheduling
process (``CONTACT_RETENTION_SWEEP_S``, default hourly), each contact erased as on request
(``erasure.py``) with the reason ``retention``.

For each session past its retention, the contacts still held for it are found by their lifted
top-level ``session_id`` (``adapters/stores.contact_fields``), an equality FerretDB pushes down;
a filter on ``state.session_id`` would read every contact in its own process. A session whose
contacts are gone costs one indexed query a sweep; a contact written for it again (a repeated
request under its Idempotency-Key) goes at the next sweep.
"""

import asyncio
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import structlog

from services.scheduling.domain.retention import past_retention
from services.scheduling.usecases.erasure import Erasure

log = structlog.get_logger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ContactRetention:
    def __init__(self, erasure: Erasure, sessions: Callable[[], Iterable[dict]], days: int, every_s: float,
                 clock: Callable[[], datetime] = utcnow):
        self.erasure = erasure
        self.sessions = sessions  # every session as the programme holds it (in memory)
        self.days = days
        self.every_s = every_s
        self.clock = clock  # tests move it

    async def sweep(self) -> int:
        """Erase the contacts of every session past its retention now; returns how many were erased."""
        erased = 0
        for session_id in past_retention(list(self.sessions()), self.clock(), self.days):
            erased += await self.erasure.erase_of_session(session_id, reason="retention")
        if erased:
            log.info("contacts_erased_by_retention", count=erased, days=self.days)
        return erased

    async def run(self) -> None:
        """``sweep`` every ``every_s`` until cancelled; a failed sweep is tried again at the next."""
        while True:
            try:
                await self.sweep()
            except Exception as e:  # the database away for a while: the next sweep does it
                log.warning("retention_sweep_failed", error=f"{type(e).__name__}: {e}"[:300])
            await asyncio.sleep(self.every_s)
