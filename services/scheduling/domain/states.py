"""The stored state of each of scheduling's aggregates, one ``TypedDict`` each (docs/scheduling.md).

Each is the ``state`` of one document written through the aggregate store (one writer per
document); ``version`` beside it is the document's state version. ``total=False``: a state is
built up by the decisions, and older documents may lack a field added since (read with ``get``).
"""

from typing import Any, TypedDict


class VenueRef(TypedDict, total=False):
    """What a session keeps of its venue (as it was when the session was placed there)."""

    venue_id: str
    name: str
    address: str
    district: str
    accessibility: list[str]


class RegistrationEntry(TypedDict, total=False):
    """A registration as it was taken: its own insert-only document (``_id`` = ``registration_id``)
    and, until that is written, an entry of its session's ``taken``. Never personal data."""

    registration_id: str
    session_id: str
    token_sha256: str
    status: str  # "confirmed" or "waitlisted" when taken; what changed since is in the session's ``changed``
    party_size: int
    language: str
    channel: str  # "email" or "sms"
    registered_at: str
    code: str
    attended: bool
    version: int
    seq: int
    idempotency_ref: str  # SHA-256 of (session, Idempotency-Key), when taken under one
    contact_erased: bool  # set by the erasure: a repeat under its key does not write the contact back


class SessionState(TypedDict, total=False):
    """A session: the public fields of ``shared.events.scheduling.SessionState`` (without its
    ``version``), what only scheduling needs, and the seat book (``domain/seats.py``)."""

    session_id: str
    edition_id: str
    initiative_id: str
    source: str
    title: dict[str, str]
    organizer: dict[str, Any]
    organizer_key: str  # source and organiser's name: one organiser is never in two places at once
    themes: list[str]
    districts: list[str]
    languages: list[str]
    accessibility: list[str]
    starts_at: str | None  # ISO 8601, UTC
    ends_at: str | None
    venue: VenueRef | None
    online_url: str | None
    capacity: int
    registration_required: bool
    max_party_size: int
    duration_minutes: int | None
    preferred_days: list[str]
    status: str  # draft, scheduled, published, rescheduled, cancelled
    published_once: bool
    previous_starts_at: str | None
    cancellation_reason: str | None
    # the seat book (seats.SEAT_BOOK)
    seats_confirmed: int
    waitlist: list[dict[str, Any]]  # seats.waiting_entry of each waiting registration, in order
    next_seq: int
    changed: dict[str, dict[str, Any]]  # registration id -> {status, attended, version} since taken
    taken: dict[str, RegistrationEntry]  # the last batch's new registrations


class EditionState(TypedDict, total=False):
    """An edition (a forum period): planning → programme_published → closed."""

    edition_id: str
    name: dict[str, str]
    year: int
    starts_on: str  # ISO dates, Europe/Stockholm
    ends_on: str
    submission_opens_on: str
    submission_closes_on: str
    budget_sek: int
    reminder_hours_before: int
    changeover_minutes: int
    rules: dict[str, str]  # conflict rule -> "block" or "warn"
    status: str


class VenueState(TypedDict, total=False):
    venue_id: str
    name: str
    address: str
    district: str
    capacity: int
    accessibility: list[str]
    languages: list[str]  # empty: any
    availability: list[dict[str, str]]  # [{starts_at, ends_at}], ISO 8601, in order


class ContactState(TypedDict, total=False):
    """A registrant's contact, keyed by the registration id: the only personal data scheduling keeps."""

    registration_id: str
    session_id: str
    name: str
    email: str | None
    phone: str | None
    language: str
    manage_url: str


class InitiativeCopy(TypedDict, total=False):
    """Scheduling's copy of one of the registry's initiatives (the newest version told)."""

    initiative_id: str
    source: str
    status: str
    stamped: bool
    title: dict[str, str] | None
    summary: dict[str, str] | None
    description: dict[str, str] | None
    target_groups: list[str]
    organizer: dict[str, Any] | None
    themes: list[str]
    districts: list[str]
    languages: list[str]
    accessibility: list[str]
    period: dict[str, Any] | None
    version: int
