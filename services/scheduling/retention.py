"""The retention rule: a registrant's contact is kept until ``CONTACT_RETENTION_DAYS`` (default 90)
days after the session ended, then erased — the same erasure as on request (``Registrations.erase``:
the contact deleted, a tombstone on ``scheduling.contacts.v1``, whose header says ``retention``,
and notifications deletes its copy and every message to them). The registration stays, anonymous.

``past_retention`` is the rule, pure. ``ContactRetention`` applies it on a timer in the one
scheduling process (``CONTACT_RETENTION_SWEEP_S``, default hourly): for each session past its
retention, the contacts still held for it (found by their lifted top-level ``session_id``, an
equality FerretDB pushes down; a filter on ``state.session_id`` would read every contact in its
own process) are erased one by one. A session whose contacts are gone costs one indexed query a
sweep; a contact written for it again (a repeated request under its Idempotency-Key) goes at the
next sweep.
"""

import asyncio
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import structlog

from services.scheduling.registrations import CONTACTS, Registrations
from shared.db.aggregates import AggregateStore
from shared.db.indexes import IndexSpec

log = structlog.get_logger(__name__)
INDEXES = [IndexSpec(CONTACTS, (("session_id", 1),))]


def past_retention(sessions: Iterable[dict], now: datetime, days: int) -> list[str]:
    """The ids of the sessions whose contacts are due for erasure at ``now``: those that ended more
    than ``days`` days before it. A session without an end (a draft) never is; a cancelled one
    counts from the end it had. Sorted, so a sweep goes in a stable order."""
    cutoff = now - timedelta(days=days)
    return sorted(s["session_id"] for s in sessions if s.get("ends_at") and _aware(s["ends_at"]) < cutoff)


def _aware(value: str | datetime) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def contact_fields(state: dict) -> dict:
    """A contact's top-level ``session_id``: what the sweep finds a session's contacts by."""
    return {"session_id": state["session_id"]} if state.get("session_id") else {}


def lift_contacts(contacts: AggregateStore) -> None:
    """Every contact the store writes carries its top-level ``session_id``."""
    contacts.lift_fields(contact_fields)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ContactRetention:
    def __init__(self, registrations: Registrations, sessions: Callable[[], Iterable[dict]], days: int, every_s: float,
                 clock: Callable[[], datetime] = utcnow):
        self.registrations = registrations
        self.sessions = sessions  # every session as the programme holds it (in memory)
        self.days = days
        self.every_s = every_s
        self.clock = clock

    async def sweep(self) -> int:
        """Erase the contacts of every session past its retention now; returns how many were erased."""
        erased = 0
        contacts = self.registrations.contacts.collection
        for session_id in past_retention(list(self.sessions()), self.clock(), self.days):
            for rid in [d["_id"] async for d in contacts.find({"session_id": session_id}, {"_id": 1})]:
                erased += await self.registrations.erase(rid, reason="retention")
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
