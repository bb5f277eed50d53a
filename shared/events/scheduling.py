"""Scheduling's contracts: editions (forum periods), sessions, registrations, and contacts.

``scheduling.sessions.v1`` carries editions and sessions (keyed by their id);
``scheduling.registrations.v1`` carries registrations without any personal data;
``scheduling.contacts.v1`` (compacted, read only by notifications) carries a registrant's
contact, keyed by registration id, and a tombstone (null value) on erasure.
Every event carries the aggregate's full current state and its ``version``.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from shared.envelope import EventData


# Outbound state: EventData already ignores unknown fields, so additive changes stay compatible.
Tolerant = EventData


class EditionStatus(StrEnum):
    planning = "planning"
    programme_published = "programme_published"
    closed = "closed"


class EditionState(Tolerant):
    edition_id: str
    version: int
    name: dict[str, str] = Field(description="By language; 'sv' always present.", examples=[{"sv": "Öppna Malmö 2025", "en": "Open Malmö 2025"}])
    year: int
    starts_on: date = Field(description="First day of the forum period (Europe/Stockholm).")
    ends_on: date
    submission_opens_on: date | None = None
    submission_closes_on: date | None = None
    budget_sek: int = Field(ge=0, examples=[3780000])
    reminder_hours_before: int = Field(default=24, description="When registrants are reminded.")
    status: EditionStatus


class EditionPlannedV1(EditionState):
    event_type = "se.malmo.oppna.edition.planned.v1"


class EditionUpdatedV1(EditionState):
    event_type = "se.malmo.oppna.edition.updated.v1"


class EditionProgrammePublishedV1(EditionState):
    event_type = "se.malmo.oppna.edition.programme_published.v1"


class EditionClosedV1(EditionState):
    event_type = "se.malmo.oppna.edition.closed.v1"


class SessionStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    published = "published"
    rescheduled = "rescheduled"
    cancelled = "cancelled"


class VenueRef(Tolerant):
    venue_id: str
    name: str
    address: str
    district: str
    accessibility: list[str] = Field(default_factory=list)


class SessionState(Tolerant):
    session_id: str
    version: int
    edition_id: str
    initiative_id: str
    source: str = Field(description="The initiative's publisher (CloudEvents source).")
    title: dict[str, str] = Field(description="By language; 'sv' always present.")
    organizer: dict = Field(description="{kind, name} of the initiative's organizer.")
    themes: list[str]
    districts: list[str] = Field(default_factory=list, description="The venue's district, or the initiative's districts online.")
    languages: list[str]
    accessibility: list[str] = Field(default_factory=list)
    starts_at: datetime
    ends_at: datetime
    venue: VenueRef | None = None
    online_url: str | None = None
    capacity: int = Field(ge=0)
    registration_required: bool
    seats_confirmed: int = Field(default=0, ge=0, description="Seats taken by confirmed registrations (party sizes summed).")
    waitlisted: int = Field(default=0, ge=0, description="Registrations on the waiting list.")
    status: SessionStatus
    previous_starts_at: datetime | None = Field(default=None, description="Set when rescheduled: the time it had before.")
    cancellation_reason: str | None = None


class SessionScheduledV1(SessionState):
    """Placed (draft or scheduled), not yet public."""

    event_type = "se.malmo.oppna.session.scheduled.v1"


class SessionPublishedV1(SessionState):
    event_type = "se.malmo.oppna.session.published.v1"


class SessionUpdatedV1(SessionState):
    """A published session changed in something other than time or place (e.g. capacity, seats)."""

    event_type = "se.malmo.oppna.session.updated.v1"


class SessionRescheduledV1(SessionState):
    """A published session moved in time or place: registrants are told."""

    event_type = "se.malmo.oppna.session.rescheduled.v1"


class SessionCancelledV1(SessionState):
    event_type = "se.malmo.oppna.session.cancelled.v1"


SESSION_EVENTS: tuple[type[EventData], ...] = (
    EditionPlannedV1,
    EditionUpdatedV1,
    EditionProgrammePublishedV1,
    EditionClosedV1,
    SessionScheduledV1,
    SessionPublishedV1,
    SessionUpdatedV1,
    SessionRescheduledV1,
    SessionCancelledV1,
)


class RegistrationStatus(StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"


class Channel(StrEnum):
    email = "email"
    sms = "sms"


class RegistrationState(Tolerant):
    """A registration, without personal data: the contact travels only on the contacts topic."""

    registration_id: str
    version: int
    session_id: str
    edition_id: str
    status: RegistrationStatus
    party_size: int = Field(ge=1)
    language: str = Field(description="The language the registrant wants messages in.")
    channel: Channel = Field(description="How the registrant is reached (the address itself is not here).")
    waitlist_position: int | None = Field(default=None, description="1 = next in line; None unless waitlisted.")
    attended: bool = False
    registered_at: datetime


class RegistrationConfirmedV1(RegistrationState):
    event_type = "se.malmo.oppna.registration.confirmed.v1"


class RegistrationWaitlistedV1(RegistrationState):
    event_type = "se.malmo.oppna.registration.waitlisted.v1"


class RegistrationPromotedV1(RegistrationState):
    """Moved from the waiting list to confirmed because a seat was freed."""

    event_type = "se.malmo.oppna.registration.promoted.v1"


class RegistrationCancelledV1(RegistrationState):
    event_type = "se.malmo.oppna.registration.cancelled.v1"


class RegistrationCheckedInV1(RegistrationState):
    event_type = "se.malmo.oppna.registration.checked_in.v1"


REGISTRATION_EVENTS: tuple[type[EventData], ...] = (
    RegistrationConfirmedV1,
    RegistrationWaitlistedV1,
    RegistrationPromotedV1,
    RegistrationCancelledV1,
    RegistrationCheckedInV1,
)

Phone = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")]


class RegistrationContactRecordedV1(Tolerant):
    """Personal data: only on scheduling.contacts.v1 (compacted), only notifications reads it.

    Keyed by registration id; erasure publishes a tombstone (null value) under the same key.
    """

    event_type = "se.malmo.oppna.registration_contact.recorded.v1"
    registration_id: str
    session_id: str
    name: str = Field(max_length=200)
    email: str | None = None
    phone: Phone | None = Field(default=None, description="E.164, e.g. +46701234567.")
    language: str
    manage_url: str | None = Field(default=None, description="The private link to see or cancel the registration.")


# The Kafka header of a contact's tombstone telling why it was erased, so each service holding a
# copy counts its erasures alike (``om_contacts_erased_total``): one of ``ERASURE_REASONS``.
ERASURE_REASON_HEADER = "erasure-reason"
ERASURE_REASONS = ("request", "retention")
