"""Initiative contracts: what publishers send (inbound) and what the registry tells (outbound)."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, EmailStr, Field, HttpUrl, StringConstraints

from shared.envelope import EventData
from shared.events.common import Code, Description, LanguageCode, Period, ShortText, Strict, Summary, Title

ExternalId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$"), Field(examples=["KF-2025-0042"])]


class OrganizerKind(StrEnum):
    administration = "administration"
    civil_society = "civil_society"
    political = "political"
    international = "international"
    other = "other"


class Origin(StrEnum):
    existing = "existing"  # part of an administration's ordinary activity, now stamped
    new = "new"


class Organizer(Strict):
    kind: OrganizerKind
    name: ShortText = Field(examples=["Kulturförvaltningen"])


class Budget(Strict):
    requested_sek: int = Field(default=0, ge=0, le=100_000_000, description="Asked of the Öppna Malmö budget.")
    own_funding_sek: int = Field(default=0, ge=0, le=100_000_000, description="Paid by the organizer.")


class BusinessContact(Strict):
    """The organiser's business contact (a role, not a resident)."""

    name: ShortText
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,20}$")] | None = None


class InitiativeContent(Strict):
    """What a publisher says about an initiative, in one revision."""

    title: Title
    summary: Summary
    description: Description | None = None
    organizer: Organizer
    themes: list[Code] = Field(min_length=1, max_length=7, description="From the curated theme vocabulary.", examples=[["democracy", "participation"]])
    origin: Origin
    target_groups: list[Code] = Field(default_factory=list, max_length=20)
    districts: list[Code] = Field(default_factory=list, max_length=20)
    languages: list[LanguageCode] = Field(default_factory=list, max_length=20)
    accessibility: list[Code] = Field(default_factory=list, max_length=20)
    period: Period | None = None
    expected_participants: int | None = Field(default=None, ge=0, le=1_000_000)
    budget: Budget | None = None
    contact: BusinessContact | None = None
    links: list[HttpUrl] = Field(default_factory=list, max_length=10)


class InitiativeSubmittedV1(InitiativeContent, EventData):
    """A new initiative, or a new revision of one, from its publisher."""

    model_config = ConfigDict(frozen=True, extra="forbid")  # inbound: a typo is an error
    event_type = "se.malmo.oppna.initiative.submitted.v1"
    external_id: ExternalId
    revision: int = Field(ge=1, le=2**31, description="Grows with each change at the publisher.")


class InitiativeWithdrawnV1(Strict, EventData):
    """The publisher withdraws an initiative; wins over every older revision."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    event_type = "se.malmo.oppna.initiative.withdrawn.v1"
    external_id: ExternalId
    revision: int = Field(ge=1, le=2**31, description="The publisher's revision counter at withdrawal.")
    reason: Annotated[str, StringConstraints(max_length=1000)] | None = None


class InitiativeStatus(StrEnum):
    submitted = "submitted"
    in_review = "in_review"
    approved = "approved"
    changes_requested = "changes_requested"
    rejected = "rejected"
    withdrawn = "withdrawn"


class InitiativeState(EventData):
    """The full current state of an initiative, carried by every registry event."""

    initiative_id: str = Field(description="The registry's id, stable for (source, external_id).")
    source: str
    external_id: str
    revision: int = Field(description="The publisher's revision now current.")
    version: int = Field(description="The registry's version of the aggregate; grows by one per change.")
    status: InitiativeStatus
    stamped: bool = Field(description="Approved as part of Öppna Malmö.")
    content: InitiativeContent | None = Field(description="The current revision's content (none if withdrawn first).")
    received_at: datetime
    updated_at: datetime


class InitiativeRegisteredV1(InitiativeState):
    event_type = "se.malmo.oppna.initiative.registered.v1"


class InitiativeRevisedV1(InitiativeState):
    event_type = "se.malmo.oppna.initiative.revised.v1"


class InitiativeWithdrawalRecordedV1(InitiativeState):
    event_type = "se.malmo.oppna.initiative.withdrawal_recorded.v1"


# Every registry event type; each carries the full state, so a follower handles them alike.
INITIATIVE_EVENTS: tuple[type[InitiativeState], ...] = (
    InitiativeRegisteredV1,
    InitiativeRevisedV1,
    InitiativeWithdrawalRecordedV1,
)
