"""Initiative contracts: what publishers send (inbound) and what the registry tells (outbound)."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, StringConstraints

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


class PublicContent(Strict):
    """What a publisher says about an initiative that anyone may read: every field but the contact."""

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
    links: list[HttpUrl] = Field(default_factory=list, max_length=10)


class InitiativeContent(PublicContent):
    """What a publisher says about an initiative, in one revision: the public content and the contact.

    The contact is a person's (a role's) name, email and phone: it stays in the registry and
    travels only on the restricted ``registry.contacts.v1``, never on ``registry.initiatives.v1``.
    """

    contact: BusinessContact | None = None


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


class OrganizerOut(Organizer):
    model_config = ConfigDict(frozen=True, extra="ignore")


class BudgetOut(Budget):
    model_config = ConfigDict(frozen=True, extra="ignore")


class BusinessContactOut(BusinessContact):
    model_config = ConfigDict(frozen=True, extra="ignore")


class PeriodOut(Period):
    model_config = ConfigDict(frozen=True, extra="ignore")


class PublishedContent(PublicContent):
    """The content as the registry tells it: the public fields, and unknown ones are ignored.

    Inbound, an unknown field is a publisher's typo worth refusing; outbound, it is a field a
    newer registry added within the same version, which an older consumer must let pass. The
    contact is not here (``registry.contacts.v1``); an older event that still carries one is
    read without it.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")
    organizer: OrganizerOut
    period: PeriodOut | None = None
    budget: BudgetOut | None = None


class InitiativeStatus(StrEnum):
    submitted = "submitted"
    in_review = "in_review"
    approved = "approved"
    changes_requested = "changes_requested"
    rejected = "rejected"
    withdrawn = "withdrawn"


class ReviewDecision(StrEnum):
    in_review = "in_review"
    approved = "approved"
    changes_requested = "changes_requested"
    rejected = "rejected"


class Review(BaseModel):
    """A curator's latest review step on the initiative."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    decision: ReviewDecision = Field(examples=["approved"])
    comment: Annotated[str, StringConstraints(max_length=2000)] = Field(
        default="", description="The curator's words to the organiser (may be empty when review starts).", examples=["Välkommen i Öppna Malmö!"]
    )
    decided_at: datetime = Field(description="When the curator took this step.")
    curator: str = Field(description="The curator's API key id (not a person's name).", examples=["curator01"])


class InitiativeState(EventData):
    """The full current state of an initiative, carried by every registry event."""

    initiative_id: str = Field(description="The registry's id, stable for (source, external_id).")
    source: str
    external_id: str
    revision: int = Field(description="The publisher's revision now current.")
    version: int = Field(description="The registry's version of the aggregate; grows by one per change.")
    status: InitiativeStatus
    stamped: bool = Field(description='Stamped "Öppna Malmö": true exactly when status is approved.')
    content: PublishedContent | None = Field(description="The current revision's content (none if withdrawn first).")
    received_at: datetime = Field(description="When the registry first received the initiative.")
    updated_at: datetime
    review: Review | None = Field(default=None, description="The latest review step; None before any.")


class InitiativeRegisteredV1(InitiativeState):
    event_type = "se.malmo.oppna.initiative.registered.v1"


class InitiativeRevisedV1(InitiativeState):
    event_type = "se.malmo.oppna.initiative.revised.v1"


class InitiativeWithdrawalRecordedV1(InitiativeState):
    event_type = "se.malmo.oppna.initiative.withdrawal_recorded.v1"


class InitiativeReviewStartedV1(InitiativeState):
    """A curator took the initiative into review."""

    event_type = "se.malmo.oppna.initiative.review_started.v1"


class InitiativeApprovedV1(InitiativeState):
    """Approved and stamped "Öppna Malmö"."""

    event_type = "se.malmo.oppna.initiative.approved.v1"


class InitiativeChangesRequestedV1(InitiativeState):
    """The curator asks the organiser for changes; a new revision puts it back in the queue."""

    event_type = "se.malmo.oppna.initiative.changes_requested.v1"


class InitiativeRejectedV1(InitiativeState):
    """Not part of Öppna Malmö."""

    event_type = "se.malmo.oppna.initiative.rejected.v1"


# Every registry event type; each carries the full state, so a follower handles them alike.
INITIATIVE_EVENTS: tuple[type[InitiativeState], ...] = (
    InitiativeRegisteredV1,
    InitiativeRevisedV1,
    InitiativeWithdrawalRecordedV1,
    InitiativeReviewStartedV1,
    InitiativeApprovedV1,
    InitiativeChangesRequestedV1,
    InitiativeRejectedV1,
)


class InitiativeContactRecordedV1(EventData):
    """Personal data: only on ``registry.contacts.v1`` (compacted), only notifications reads it.

    Keyed by initiative id; told when an initiative is registered and whenever a revision changes
    its contact (``contact`` null: the publisher gives none). ``version`` is the initiative's.
    """

    event_type = "se.malmo.oppna.initiative.contact_recorded.v1"
    initiative_id: str
    version: int = Field(description="The initiative's version when its contact was last set; keep the newest.")
    # Optional, not only nullable: events leave with their nulls dropped, and an organiser who gives
    # no contact must still be told (its copy then says there is no one to tell).
    contact: BusinessContactOut | None = Field(default=None, description="The organiser's business contact; absent or null when the publisher gives none.")


class InitiativeContactErasedV1(EventData):
    """The organiser's contact was erased on request: forget it and every message to it.

    The newest value under the initiative's key, so compaction drops the contacts before it.
    """

    event_type = "se.malmo.oppna.initiative.contact_erased.v1"
    initiative_id: str
    version: int
    erased_at: datetime


CONTACT_EVENTS: tuple[type[EventData], ...] = (InitiativeContactRecordedV1, InitiativeContactErasedV1)
