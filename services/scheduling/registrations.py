"""Use cases of residents' registrations: register, see and cancel by the private link, check in, erase.

Where things live
- The seat book (status, party size, order) is in the SESSION's document: every registration
  for a session is one ``AggregateStore.change`` on that session, behind its keyed lock, so
  concurrent registrations cannot overbook. Its events leave through the session's outbox.
- ``registrations``: one insert-only document per registration, ``{_id: registration id,
  session_id, token_sha256}``, so the private link finds its session. No personal data.
- ``contacts``: the registrant's name, email or phone, keyed by registration id, with the
  contact event in its own outbox for ``scheduling.contacts.v1``. The only place personal data
  is kept; erasure deletes it and publishes a tombstone under the same key.

The private link carries ``<registration id>.<secret>``; only the secret's SHA-256 is stored.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from services.scheduling import sessions
from services.scheduling.events import emit
from services.scheduling.programme import Programme, without_internals
from services.scheduling.seats import REPEAT, NewRegistration, Refused
from shared.db.aggregates import AggregateStore, Decision
from shared.events.scheduling import RegistrationContactRecordedV1
from shared.kafka.producer import EventProducer
from shared.topics import SCHEDULING_CONTACTS

log = structlog.get_logger(__name__)

REGISTRATIONS, CONTACTS = "registrations", "contacts"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_codes(n: int = 8, length: int = 6) -> tuple[str, ...]:
    return tuple("".join(secrets.choice(CODE_ALPHABET) for _ in range(length)) for _ in range(n))


@dataclass
class Ticket:
    """One registration waiting at the desk: what the seat book needs, the registration's own
    record (token hash, no personal data), its contact, and the caller's future."""

    new: NewRegistration
    now: datetime
    record: dict
    contact: Decision
    future: asyncio.Future


class SeatDesk:
    """Group commit of one session's registrations: those that arrive while a write is under way
    are taken together in the next one, in arrival order — one ``insert_many`` of their records,
    one ``AggregateStore.change`` on the session (so nothing overbooks), one ``create_many`` of
    their contacts. A burst costs a few writes, not three per registration (each session write
    carries the whole seat book and outbox; one per registration grew quadratic).
    """

    def __init__(self, store: AggregateStore, contacts: AggregateStore, records: AsyncCollection, programme: Programme, source: str, max_batch: int = 100):
        self.store = store
        self.contacts = contacts
        self.records = records
        self.programme = programme
        self.source = source
        self.max_batch = max_batch
        self.pending: dict[str, list[Ticket]] = {}
        self.draining: set[str] = set()
        self.tasks: set[asyncio.Task] = set()  # held, so a drain is not garbage-collected mid-way
        self.after_seat: Callable[[], None] | None = None  # the FAULT_EXIT_AFTER_SEAT test hook (main.py)

    async def take(self, session_id: str, ticket: Ticket) -> tuple[dict, str]:
        """The session's document after the write, and this registration's status (or ``REPEAT``)."""
        self.pending.setdefault(session_id, []).append(ticket)
        if session_id not in self.draining:
            self.draining.add(session_id)
            task = asyncio.create_task(self._drain(session_id))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return await ticket.future

    async def _drain(self, session_id: str) -> None:
        try:
            while self.pending.get(session_id):
                queue = self.pending[session_id]
                batch, self.pending[session_id] = queue[: self.max_batch], queue[self.max_batch :]
                try:
                    await self._write(session_id, batch)
                except Exception as e:  # the batch failed as a whole: every caller hears it
                    for t in batch:
                        if not t.future.done():
                            t.future.set_exception(e)
            self.pending.pop(session_id, None)
        finally:
            self.draining.discard(session_id)

    async def _write(self, session_id: str, batch: list[Ticket]) -> None:
        await self._insert_records([t.record for t in batch])
        outcomes: list = []
        now = max(t.now for t in batch)

        def decide(state: dict | None, version: int):
            decision, found = sessions.decide_register(state, version, [t.new for t in batch], now, self.source)
            outcomes[:] = found
            return decision

        doc = await self.store.change(session_id, decide)
        if doc is not None and self.after_seat is not None:
            self.after_seat()
        self.programme.put_session(doc)
        doc = doc or await self.store.get(session_id)
        # a repeat's contact too: its first request may have died between the seat and the contact
        kept = {t.new.registration_id: t.contact for t, o in zip(batch, outcomes, strict=True) if not isinstance(o, Refused)}
        await self.contacts.create_many(kept)
        for t, outcome in zip(batch, outcomes, strict=True):
            if t.future.done():
                continue
            if isinstance(outcome, Refused):
                t.future.set_exception(outcome)
            else:
                t.future.set_result((doc, outcome))

    async def _insert_records(self, records: list[dict]) -> None:
        """The batch's registration records; one that exists is a keyed repeat's (the same content)."""
        try:
            await self.records.insert_many(records, ordered=False)
        except BulkWriteError as e:
            if any(err.get("code") != 11000 for err in e.details.get("writeErrors", [])):
                raise


def fingerprint(session_id: str, contact: dict, party_size: int, language: str) -> str:
    """What makes two requests "the same registration" under one Idempotency-Key."""
    body = {"session_id": session_id, "name": contact["name"], "email": contact.get("email"), "phone": contact.get("phone"),
            "party_size": party_size, "language": language}
    return sha256(json.dumps(body, sort_keys=True, ensure_ascii=False))


def keyed_identity(session_id: str, key: str, body_fingerprint: str) -> tuple[str, str, str]:
    """(registration id, secret, key reference) of a keyed request, derived, not drawn: a repeat
    (after a lost answer, a crash, a retry racing the first) finds the same registration and
    answers the same private link, though only the secret's hash is stored. Derived with the key
    as HMAC key, so the database alone does not give the link; the seat book keeps only a hash of
    the key. Another body under the same key derives another id, and the key's entry refuses it."""
    mac = hmac.new(key.encode(), f"{session_id}\0{body_fingerprint}".encode(), hashlib.sha256).digest()
    secret = base64.urlsafe_b64encode(hmac.new(key.encode(), b"secret\0" + mac, hashlib.sha256).digest()[:24]).decode()
    return mac[:16].hex(), secret, sha256(f"{session_id}\0{key}")


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
        record = {"_id": rid, "session_id": session_id, "token_sha256": new.token_sha256}
        ticket = Ticket(new, now, record, Decision(recorded, [event]), asyncio.get_running_loop().create_future())
        doc, outcome = await self.desk.take(session_id, ticket)
        view = sessions.registration_view(doc["state"], rid)
        log.info("registration_taken", session_id=session_id, registration_id=rid, status=view["status"], repeat=outcome == REPEAT)
        return {**view, "token": token, "manage_url": recorded["manage_url"]}, outcome != REPEAT

    async def _find(self, token: str) -> tuple[str, str]:
        """(session id, registration id) of a private link's token, or 404 (the same for every failure)."""
        rid, _, secret = token.partition(".")
        record = await self.records.find_one({"_id": rid}) if rid and secret else None
        if record is None or not hmac.compare_digest(record["token_sha256"], sha256(secret)):
            raise Refused(404, "token", "not_found", "No registration for this link")
        return record["session_id"], rid

    async def view(self, token: str) -> dict:
        session_id, rid = await self._find(token)
        doc = await self.sessions.get(session_id)
        view = self.programme.sessions.get(session_id)
        return {**sessions.registration_view(doc["state"], rid), "session": without_internals(view) if view else None}

    async def cancel(self, token: str, now: datetime) -> dict:
        session_id, rid = await self._find(token)
        doc = await self.sessions.change(session_id, lambda s, v: sessions.decide_cancel_registration(s, v, rid, now, self.source))
        self.programme.put_session(doc)
        return await self.view(token)

    async def check_in(self, session_id: str, code: str, now: datetime) -> dict:
        doc = await self.sessions.change(session_id, lambda s, v: sessions.decide_check_in(s, v, code, now, self.source))
        self.programme.put_session(doc)
        doc = doc or await self.sessions.get(session_id)
        rid = next(r for r, e in doc["state"]["registrations"].items() if e["code"] == code.strip().upper())
        return sessions.registration_view(doc["state"], rid)

    async def list_for(self, session_id: str) -> list[dict]:
        """A scheduler's list of a session's registrations (no contacts), in registration order."""
        doc = await self.sessions.get(session_id)
        if doc is None:
            raise Refused(404, "session_id", "not_found", "No such session")
        views = [sessions.registration_view(doc["state"], rid) for rid in doc["state"]["registrations"]]
        return sorted(views, key=lambda v: v["sequence"])

    # -- erasure (GDPR art. 17) -------------------------------------------------------------
    async def erase(self, registration_id: str) -> bool:
        """Delete the contact (and its unpublished events) and tombstone it on the contacts topic."""
        async with self.contacts.locks.hold(registration_id):
            result = await self.contacts.collection.delete_one({"_id": registration_id})
            await self.producer.publish_raw(SCHEDULING_CONTACTS, None, registration_id)
        log.info("contact_erased", registration_id=registration_id, existed=result.deleted_count == 1)
        return result.deleted_count == 1

    async def erase_by_token(self, token: str) -> bool:
        _, rid = await self._find(token)
        return await self.erase(rid)

    async def erase_by_contact(self, email: str | None, phone: str | None) -> list[str]:
        """A staff erasure: every registration with this email or phone (a rare request, a scan is fine)."""
        clauses = ([{"state.email": email}] if email else []) + ([{"state.phone": phone}] if phone else [])
        if not clauses:
            return []
        ids = [d["_id"] async for d in self.contacts.collection.find({"$or": clauses}, {"_id": 1})]
        for rid in ids:
            await self.erase(rid)
        return ids
