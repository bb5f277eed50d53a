"""Use cases of residents' registrations: register, see and cancel by the private link, check in, erase.

Where things live
- The seat counts and what a decision needs (``seats``) are in the SESSION's document: every
  batch of registrations for a session is one ``AggregateStore.change`` on that session, behind
  its keyed lock, so concurrent registrations cannot overbook. Its events leave through the
  session's outbox. That write stays small however many have registered.
- ``registrations``: one insert-only document per registration, as it was taken (``{_id:
  registration id, session_id, token_sha256, seq, code, status, party_size, …}``), so the
  private link finds it and the schedulers list a session's. No personal data. Written right
  after the session's write; until then the session's ``taken`` holds them (a process that
  dies in between leaves them there, and they are written before the session's next batch is
  decided, or at start-up), so a document is never missing for a seat taken.
- ``contacts``: the registrant's name, email or phone, keyed by registration id, with the
  contact event in its own outbox for ``scheduling.contacts.v1``. The only place personal data
  is kept; erasure deletes it and publishes a tombstone under the same key.

The private link carries ``<registration id>.<secret>``; only the secret's SHA-256 is stored.
"""

import asyncio
import hmac
import secrets
import uuid
from datetime import datetime, timedelta

import structlog
from pymongo.asynchronous.collection import AsyncCollection

from services.scheduling import sessions
from services.scheduling.events import emit
from services.scheduling.programme import Programme, without_internals
from services.scheduling.registration_identity import fingerprint, keyed_identity, new_codes, sha256
from services.scheduling.seat_desk import SeatDesk, Ticket
from services.scheduling.seats import REPEAT, NewRegistration, Refused
from shared.db.aggregates import AggregateStore
from shared.db.indexes import IndexSpec
from shared.decisions import Decision
from shared.events.scheduling import ERASURE_REASON_HEADER, RegistrationContactRecordedV1
from shared.kafka.producer import EventProducer
from shared.metrics import CONTACTS_ERASED
from shared.topics import SCHEDULING_CONTACTS

log = structlog.get_logger(__name__)

REGISTRATIONS, CONTACTS = "registrations", "contacts"
# a session's registrations (the schedulers' list), one by its code (check-in), one by its key (a repeat)
REGISTRATION_INDEXES = [IndexSpec(REGISTRATIONS, (("session_id", 1), ("code", 1))), IndexSpec(REGISTRATIONS, (("idempotency_ref", 1),))]


class Registrations:
    def __init__(
        self,
        sessions_store: AggregateStore,
        contacts: AggregateStore,
        records: AsyncCollection,
        producer: EventProducer,
        programme: Programme,
        source: str,
        public_base_url: str,
    ):
        self.sessions = sessions_store
        self.contacts = contacts
        self.records = records
        self.producer = producer
        self.programme = programme
        self.source = source
        self.base_url = public_base_url.rstrip("/")
        self.desk = SeatDesk(sessions_store, contacts, records, programme, source)

    def manage_url(self, token: str) -> str:
        return f"{self.base_url}/programme/registrations/{token}"

    async def register(
        self, session_id: str, contact: dict, party_size: int, language: str, now: datetime, idempotency_key: str | None = None
    ) -> tuple[dict, bool]:
        """``contact``: name and email or E.164 phone, already validated at the edge.

        Returns the registration (with its private link) and whether this request took it
        (False: a repeat under its Idempotency-Key, answered as the first was)."""
        if session_id not in self.programme.sessions:
            raise Refused(404, "session_id", "not_found", "No such session")
        if idempotency_key is None:
            rid, secret, ref = uuid.uuid4().hex, secrets.token_urlsafe(24), None
        else:
            rid, secret, ref = keyed_identity(session_id, idempotency_key, fingerprint(session_id, contact, party_size, language))
        token = f"{rid}.{secret}"
        channel = "email" if contact.get("email") else "sms"
        new = NewRegistration(rid, party_size, language, channel, sha256(secret), new_codes(), ref)
        recorded = {
            "registration_id": rid,
            "session_id": session_id,
            "name": contact["name"],
            "email": contact.get("email"),
            "phone": contact.get("phone"),
            "language": language,
            "manage_url": self.manage_url(token),
        }
        event = emit(SCHEDULING_CONTACTS, RegistrationContactRecordedV1, recorded, 1, rid, now, self.source)
        ticket = Ticket(new, now, Decision(recorded, [event]), asyncio.get_running_loop().create_future())
        state, entry, outcome = await self.desk.take(session_id, ticket)
        view = sessions.registration_view(state, entry)
        log.info("registration_taken", session_id=session_id, registration_id=rid, status=view["status"], repeat=outcome == REPEAT)
        return {**view, "token": token, "manage_url": recorded["manage_url"]}, outcome != REPEAT

    async def _find(self, token: str) -> dict:
        """The registration's document for a private link's token, or 404 (the same for every failure)."""
        rid, _, secret = token.partition(".")
        record = await self.records.find_one({"_id": rid}) if rid and secret else None
        if record is None or not hmac.compare_digest(record["token_sha256"], sha256(secret)):
            raise Refused(404, "token", "not_found", "No registration for this link")
        return record

    async def view(self, token: str) -> dict:
        record = await self._find(token)
        doc = await self.sessions.get(record["session_id"])
        view = self.programme.sessions.get(record["session_id"])
        return {**sessions.registration_view(doc["state"], record), "session": without_internals(view) if view else None}

    async def cancel(self, token: str, now: datetime) -> dict:
        record = await self._find(token)
        doc = await self.sessions.change(record["session_id"], lambda s, v: sessions.decide_cancel_registration(s, v, record, now, self.source))
        self.programme.put_session(doc)
        return await self.view(token)

    async def check_in(self, session_id: str, code: str, now: datetime, opens_before: timedelta) -> dict:
        """Attendance by the code given at the door, from ``opens_before`` the start to the end of the session's last day."""
        code = code.strip().upper()
        found = await self.records.find_one({"session_id": session_id, "code": code})

        def decide(state: dict | None, version: int):
            # a document not yet written (its batch's process died) is still in the session's last batch
            entry = found or next((e for e in (state or {}).get("taken", {}).values() if e["code"] == code), None)
            held[:] = [entry]
            return sessions.decide_check_in(state, version, entry, now, self.source, opens_before)

        held: list = []
        doc = await self.sessions.change(session_id, decide)
        self.programme.put_session(doc)
        doc = doc or await self.sessions.get(session_id)
        return sessions.registration_view(doc["state"], held[0])

    async def list_for(self, session_id: str) -> list[dict]:
        """A scheduler's list of a session's registrations (no contacts), in registration order."""
        doc = await self.sessions.get(session_id)
        if doc is None:
            raise Refused(404, "session_id", "not_found", "No such session")
        entries = {d["registration_id"]: d async for d in self.records.find({"session_id": session_id})}
        entries.update(doc["state"].get("taken", {}))  # the last batch, should its documents not be written yet
        views = [sessions.registration_view(doc["state"], e) for e in entries.values()]
        return sorted(views, key=lambda v: v["sequence"])

    async def settle_all(self) -> None:
        """At start-up: the documents of every session's last batch (a previous process may have
        died between a session's write and its registrations' documents)."""
        async for doc in self.sessions.collection.find({}, {"state.taken": 1}):
            await self.desk.settle(doc["_id"], doc.get("state", {}))

    # -- erasure (GDPR art. 17, and the retention rule: retention.py) ------------------------
    async def erase(self, registration_id: str, reason: str = "request") -> bool:
        """Delete the contact (and its unpublished events) and tombstone it on the contacts topic,
        the ``reason`` (one of ``ERASURE_REASONS``) in its header, so notifications counts it alike."""
        async with self.contacts.locks.hold(registration_id):
            existed = await self.contacts.delete_held(registration_id)
            await self.producer.publish_raw(SCHEDULING_CONTACTS, None, registration_id, {ERASURE_REASON_HEADER: reason})
            # Told on the registration's document (written once by the seat desk, and by nothing
            # else but this, under the contact's lock): a repeat under its Idempotency-Key must
            # not write the contact back.
            await self.records.update_one({"_id": registration_id}, {"$set": {"contact_erased": True}})
        if existed:
            CONTACTS_ERASED.labels("scheduling", reason).inc()
        log.info("contact_erased", registration_id=registration_id, existed=existed, reason=reason)
        return existed

    async def erase_by_token(self, token: str) -> bool:
        return await self.erase((await self._find(token))["registration_id"])

    async def erase_by_contact(self, email: str | None, phone: str | None) -> list[str]:
        """A staff erasure: every registration with this email or phone (a rare request, a scan is fine)."""
        clauses = ([{"state.email": email}] if email else []) + ([{"state.phone": phone}] if phone else [])
        if not clauses:
            return []
        ids = [d["_id"] async for d in self.contacts.collection.find({"$or": clauses}, {"_id": 1})]
        for rid in ids:
            await self.erase(rid)
        return ids
