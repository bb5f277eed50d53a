"""Use cases of residents' registrations: register, see and cancel by the private link, check in.

Where things live
- The seat counts and what a decision needs (``domain/seats.py``) are in the SESSION's document: every
  batch of registrations for a session is one change of that session (``seat_desk.py``), behind
  its keyed lock, so concurrent registrations cannot overbook. Its events leave through the
  session's outbox. That write stays small however many have registered.
- ``registrations`` (``adapters/records.py``): one insert-only document per registration, as it was taken (``{_id:
  registration id, session_id, token_sha256, seq, code, status, party_size, …}``), so the
  private link finds it and the schedulers list a session's. No personal data. Written right
  after the session's write; until then the session's ``taken`` holds them (a process that
  dies in between leaves them there, and they are written before the session's next batch is
  decided, or at start-up), so a document is never missing for a seat taken.
- ``contacts``: the registrant's name, email or phone, keyed by registration id, with the
  contact event in its own outbox for ``scheduling.contacts.v1``. The only place personal data
  is kept; erasure (``erasure.py``) deletes it and publishes a tombstone under the same key.

The private link carries ``<registration id>.<secret>``; only the secret's SHA-256 is stored.
"""

import hmac
import secrets
import time
import uuid
from datetime import datetime, timedelta

import structlog

from services.scheduling.adapters.programme import Programme, without_internals
from services.scheduling.adapters.records import RegistrationRecords
from services.scheduling.domain import sessions
from services.scheduling.domain.events import emit
from services.scheduling.domain.identity import fingerprint, keyed_identity, new_codes, sha256
from services.scheduling.domain.seats import REPEAT, NewRegistration
from services.scheduling.domain.states import ContactState, RegistrationEntry
from shared.refusals import Refused, accepted
from services.scheduling.usecases.seat_desk import SeatDesk, Ticket
from shared.db.aggregates import AggregateStore, change_one
from shared.decisions import Decision
from shared.events.scheduling import RegistrationContactRecordedV1
from shared.topics import SCHEDULING_CONTACTS

log = structlog.get_logger(__name__)


async def registration_of(records: RegistrationRecords, token: str) -> RegistrationEntry:
    """The registration's document for a private link's token, or 404 (the same for every failure)."""
    rid, _, secret = token.partition(".")
    record = await records.get(rid) if rid and secret else None
    if record is None or not hmac.compare_digest(record["token_sha256"], sha256(secret)):
        raise Refused(404, "token", "not_found", "No registration for this link")
    return record


class Registrations:
    def __init__(self, sessions_store: AggregateStore, records: RegistrationRecords, desk: SeatDesk, programme: Programme,
                 source: str, public_base_url: str):
        self.sessions = sessions_store
        self.records = records
        self.desk = desk
        self.programme = programme
        self.source = source
        self.base_url = public_base_url.rstrip("/")

    def manage_url(self, token: str) -> str:
        return f"{self.base_url}/programme/registrations/{token}"

    async def register(
        self, session_id: str, contact: dict, party_size: int, language: str, now: datetime, idempotency_key: str | None = None
    ) -> tuple[dict, bool]:
        """``contact``: name and email or E.164 phone, already validated at the edge.

        Returns the registration (with its private link) and whether this request took it
        (False: a repeat under its Idempotency-Key, answered as the first was)."""
        started = time.monotonic()
        if await self.programme.session(session_id) is None:  # another replica may have just written it
            raise Refused(404, "session_id", "not_found", "No such session")
        if idempotency_key is None:
            rid, secret, ref = uuid.uuid4().hex, secrets.token_urlsafe(24), None
        else:
            rid, secret, ref = keyed_identity(session_id, idempotency_key, fingerprint(session_id, contact, party_size, language))
        token = f"{rid}.{secret}"
        channel = "email" if contact.get("email") else "sms"
        new = NewRegistration(rid, party_size, language, channel, sha256(secret), new_codes(), ref)
        recorded: ContactState = {
            "registration_id": rid,
            "session_id": session_id,
            "name": contact["name"],
            "email": contact.get("email"),
            "phone": contact.get("phone"),
            "language": language,
            "manage_url": self.manage_url(token),
        }
        event = emit(SCHEDULING_CONTACTS, RegistrationContactRecordedV1, recorded, 1, rid, now, self.source)
        seat = await self.desk.take(session_id, Ticket(new, now, Decision(recorded, [event])))
        view = sessions.registration_view(seat.state, seat.entry)
        log.info("registration_taken", session_id=session_id, registration_id=rid, status=view["status"], repeat=seat.outcome == REPEAT,
                 ms=round(1000 * (time.monotonic() - started)))
        return {**view, "token": token, "manage_url": recorded["manage_url"]}, seat.outcome != REPEAT

    async def view(self, token: str) -> dict:
        record = await registration_of(self.records, token)
        doc = await self.sessions.get(record["session_id"])
        view = self.programme.sessions.get(record["session_id"])
        return {**sessions.registration_view(doc["state"], record), "session": without_internals(view) if view else None}

    async def cancel(self, token: str, now: datetime) -> dict:
        record = await registration_of(self.records, token)
        changed = accepted(await change_one(self.sessions, record["session_id"],
                                            lambda s, v: sessions.decide_cancel_registration(s, v, record, now, self.source)))
        self.programme.put_session(changed.document)
        return await self.view(token)

    async def check_in(self, session_id: str, code: str, now: datetime, opens_before: timedelta) -> dict:
        """Attendance by the code given at the door, from ``opens_before`` the start to the end of the
        session's last day: the registration, with ``checked_in_now`` true only for the one call that
        checked it in (a repeated code, from this door or another, answers false)."""
        code = code.strip().upper()
        found = await self.records.with_code(session_id, code)
        changed = accepted(await change_one(self.sessions, session_id,
                                            lambda s, v: sessions.decide_check_in(s, v, found, code, now, self.source, opens_before)))
        self.programme.put_session(changed.document)
        doc = changed.document or await self.sessions.get(session_id)
        return {**sessions.registration_view(doc["state"], changed.outcome), "checked_in_now": changed.written}

    async def list_for(self, session_id: str) -> list[dict]:
        """A scheduler's list of a session's registrations (no contacts), in registration order."""
        doc = await self.sessions.get(session_id)
        if doc is None:
            raise Refused(404, "session_id", "not_found", "No such session")
        entries = {d["registration_id"]: d for d in await self.records.of_session(session_id)}
        entries.update(doc["state"].get("taken", {}))  # the last batch, should its documents not be written yet
        views = [sessions.registration_view(doc["state"], e) for e in entries.values()]
        return sorted(views, key=lambda v: v["sequence"])

    async def settle_all(self) -> None:
        """At start-up: the documents of every session's last batch (a previous process may have
        died between a session's write and its registrations' documents)."""
        async for doc in self.sessions.find({}, {"state.taken": 1}):
            await self.desk.settle(doc["_id"], doc.get("state", {}))
