"""Erasure of a registrant's contact (GDPR art. 17, and the retention rule: ``retention.py``).

The contact is deleted with its unpublished events, a tombstone under the same key goes to
``scheduling.contacts.v1`` with the ``reason`` (one of ``ERASURE_REASONS``) in its header, so
notifications deletes its copy and counts it alike, and the registration's document is marked
``contact_erased``, so a repeat under its Idempotency-Key does not write the contact back. The
registration itself stays, anonymous. The three steps go under the registration's contact lock,
which the seat desk holds too while it writes contacts.
"""

import structlog

from services.scheduling.adapters.records import RegistrationRecords
from services.scheduling.usecases.registrations import registration_of
from shared.db.aggregates import AggregateStore
from shared.db.keyed_lock import KeyedLocks
from shared.events.scheduling import ERASURE_REASON_HEADER
from shared.kafka.producer import EventProducer
from shared.metrics import CONTACTS_ERASED
from shared.topics import SCHEDULING_CONTACTS

log = structlog.get_logger(__name__)


class Erasure:
    def __init__(self, contacts: AggregateStore, records: RegistrationRecords, producer: EventProducer, contact_locks: KeyedLocks):
        self.contacts = contacts
        self.records = records
        self.producer = producer
        self.contact_locks = contact_locks

    async def erase(self, registration_id: str, reason: str = "request") -> bool:
        """Erase one registration's contact; whether there was one to erase."""
        async with self.contact_locks.hold(registration_id):
            existed = registration_id in await self.contacts.delete([registration_id])
            await self.producer.publish_raw(SCHEDULING_CONTACTS, None, registration_id, {ERASURE_REASON_HEADER: reason})
            await self.records.mark_contact_erased(registration_id)
        if existed:
            CONTACTS_ERASED.labels("scheduling", reason).inc()
        log.info("contact_erased", registration_id=registration_id, existed=existed, reason=reason)
        return existed

    async def erase_by_token(self, token: str) -> bool:
        return await self.erase((await registration_of(self.records, token))["registration_id"])

    async def erase_by_contact(self, email: str | None, phone: str | None) -> list[str]:
        """A staff erasure: every registration with this email or phone (a rare request, a scan is fine)."""
        clauses = ([{"state.email": email}] if email else []) + ([{"state.phone": phone}] if phone else [])
        if not clauses:
            return []
        ids = [d["_id"] async for d in self.contacts.find({"$or": clauses}, {"_id": 1})]
        for rid in ids:
            await self.erase(rid)
        return ids

    async def erase_of_session(self, session_id: str, reason: str) -> int:
        """Erase every contact still held for a session (found by their lifted ``session_id``); how many."""
        erased = 0
        for rid in [d["_id"] async for d in self.contacts.find({"session_id": session_id}, {"_id": 1})]:
            erased += await self.erase(rid, reason=reason)
        return erased
