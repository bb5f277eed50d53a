"""The seat desk: group commit of one session's registrations, so a burst costs a few writes
(see services/scheduling/usecases/registrations.py for where each part of a registration lives)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from services.scheduling.adapters.programme import Programme
from services.scheduling.adapters.records import RegistrationRecords
from services.scheduling.domain import sessions
from shared.refusals import Refused
from services.scheduling.domain.seats import REPEAT, NewRegistration
from services.scheduling.domain.sessions import Taken
from services.scheduling.domain.states import ContactState, RegistrationEntry, SessionState
from shared.db.aggregates import AggregateStore, ConcurrentChange, change_one
from shared.db.keyed_lock import KeyedLocks
from shared.decisions import Decision, NoChange
from shared.group_commit import KeyedGroupCommit


@dataclass(frozen=True)
class Ticket:
    """One registration waiting at the desk: what the seat book needs, and its contact."""

    new: NewRegistration
    now: datetime
    contact: Decision


@dataclass(frozen=True)
class Seat:
    """A registration's answer: the session's state after the batch's write, the registration's
    document, and its status (or ``REPEAT``)."""

    state: SessionState
    entry: RegistrationEntry
    outcome: str


@dataclass(frozen=True)
class Keys:
    """Every Idempotency-Key (its ref) a session's registrations were taken under, as of its ``next_seq``:
    kept by the desk, so a keyed request needs no lookup of its own (only one process takes a
    session's registrations at a time; a session whose ``next_seq`` moved otherwise is read again)."""

    next_seq: int
    refs: dict[str, str]


class StaleKeys(ConcurrentChange):
    """Registrations kept being taken by another writer while the desk read the session's keys
    (answered as busy: 503 with Retry-After)."""


STALE = "stale_keys"  # a batch's outcome when the session's next_seq is not the one its keys were read at
ATTEMPTS = 3


def _new_contact(contact: Decision) -> Callable[[ContactState | None, int], Decision | NoChange]:
    """Create a contact; one that exists (a repeat's, written by its first request) stays as it is."""
    return lambda current, _version: NoChange() if current is not None else contact


@dataclass(eq=False)
class SeatDesk:
    """Group commit of one session's registrations (``KeyedGroupCommit`` keyed by the session):
    those that arrive while a write is under way are taken together in the next one, in arrival
    order — one change of the session (so nothing overbooks), one ``insert_many`` of their
    documents, one change of their contacts. A burst costs a few writes, not three per
    registration, and no read per registration: the session's keys are kept (``Keys``).

    ``after_seat``: the FAULT_EXIT_AFTER_SEAT test hook, called right after a seat is written.
    ``desk_locks``: one desk per session across the service's replicas, held over a batch from
    reading its keys to writing its contacts, so the keys a desk keeps stay true — the sessions'
    own lock, so the batch's change of its session re-enters it (one write lease a batch, not two).
    ``contact_locks``: held with the erasure (``usecases/erasure.py``) while a batch looks whether
    its contacts were erased and writes them, so an erased contact is never written back — the
    contacts' own lock, re-entered by their writes likewise.
    """

    sessions: AggregateStore
    contacts: AggregateStore
    records: RegistrationRecords
    programme: Programme
    source: str
    contact_locks: KeyedLocks
    desk_locks: KeyedLocks
    after_seat: Callable[[], None] | None = None
    max_batch: int = 100
    keys: dict[str, Keys] = field(default_factory=dict)  # by session: its last batch's documents are written, and these are its keys

    def __post_init__(self) -> None:
        self._groups: KeyedGroupCommit[Ticket, Seat | Refused] = KeyedGroupCommit(self._write, self.max_batch, "seat-desk")

    async def take(self, session_id: str, ticket: Ticket) -> Seat:
        """The registration taken with the others waiting for the session (or its ``Refused``, raised)."""
        seat = await self._groups(session_id, ticket)
        if isinstance(seat, Refused):
            raise seat
        return seat

    async def settle(self, session_id: str, state: SessionState | None = None) -> None:
        """Write the documents of the session's last batch (``taken``) if a process died before it did."""
        if state is None:
            doc = await self.sessions.get(session_id)
            state = doc["state"] if doc else {}
        await self.records.write(state.get("taken", {}).values())

    async def _load_keys(self, session_id: str) -> Keys:
        """The session's last batch written, then every key its registrations were taken under (one
        read of the session's documents, at its first batch in this process or when another writer took some)."""
        doc = await self.sessions.get(session_id)
        state = doc["state"] if doc else {}
        await self.settle(session_id, state)
        return Keys(state.get("next_seq", 1), await self.records.keys_of(session_id))

    async def _write(self, session_id: str, batch: list[Ticket]) -> list[Seat | Refused]:
        """One batch: the session's change, then the registrations' documents and contacts; each
        ticket's answer in order."""
        async with self.desk_locks.hold(session_id):
            return await self._write_held(session_id, batch)

    async def _write_held(self, session_id: str, batch: list[Ticket]) -> list[Seat | Refused]:
        now = max(t.now for t in batch)
        for _ in range(ATTEMPTS):
            known = self.keys.pop(session_id, None) or await self._load_keys(session_id)  # back once the documents are written

            def decide(state: SessionState | None, version: int, known: Keys = known) -> Decision | NoChange:
                if state is not None and state.get("next_seq", 1) != known.next_seq:
                    return NoChange(STALE)  # registrations taken by another writer since the keys were read
                return sessions.decide_register(state, version, [t.new for t in batch], now, self.source, known.refs)

            changed = await change_one(self.sessions, session_id, decide)
            if changed.outcome != STALE:
                break
        else:
            raise StaleKeys(session_id)
        if isinstance(changed.outcome, Refused):
            return [changed.outcome] * len(batch)
        if changed.written and self.after_seat is not None:
            self.after_seat()
        self.programme.put_session(changed.document)
        return await self._after_seats(session_id, batch, changed.document, changed.outcome, known)

    async def _after_seats(self, session_id: str, batch: list[Ticket], doc: dict | None, taken: Taken, known: Keys) -> list[Seat | Refused]:
        """The batch's documents and contacts written after its seats; each ticket's answer."""
        await self.records.write(taken.taken)
        state = (doc or await self.sessions.get(session_id))["state"]
        # as of this write's next_seq (or, if nothing was taken, the one the keys were read at)
        as_of = doc["state"]["next_seq"] if doc else known.next_seq
        self.keys[session_id] = Keys(as_of, {**known.refs, **{e["idempotency_ref"]: e["registration_id"] for e in taken.taken if "idempotency_ref" in e}})
        mine = {e["registration_id"]: e for e in taken.taken}
        kept = [t for t, o in zip(batch, taken.outcomes, strict=True) if not isinstance(o, Refused)]
        async with self.contact_locks.hold_all(t.new.registration_id for t in kept):
            repeats = {t.new.registration_id for t, o in zip(batch, taken.outcomes, strict=True) if o == REPEAT and t.new.registration_id not in mine}
            for rid in sorted(repeats):
                mine[rid] = await self.records.get(rid) or state.get("taken", {}).get(rid)
            # a repeat's contact too (its first request may have died between the seat and the
            # contact), unless the resident has had it erased since
            contacts = {t.new.registration_id: _new_contact(t.contact) for t in kept if not (mine.get(t.new.registration_id) or {}).get("contact_erased")}
            if contacts:
                await self.contacts.change(contacts, new=True)
        return [o if isinstance(o, Refused) else Seat(state, mine[t.new.registration_id], o) for t, o in zip(batch, taken.outcomes, strict=True)]
