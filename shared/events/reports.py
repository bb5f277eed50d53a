"""Outcome reports: what an initiative achieved, filed by its organiser after its first session,
reviewed by a curator like an initiative, then published for everyone to learn from.

Inbound (``registry.submissions.v1``, or ``POST /v1/initiatives/{id}/report``): ``ReportSubmittedV1``
from the initiative's own publisher, subject = the initiative's ``external_id``.

Outbound (``registry.reports.v1``, keyed and subjected by the initiative id): ``ReportStateV1`` after
every change. Until a curator has published a report its free text is NOT on the topic (``content``
is null): followers (reporting, notifications) see its status and figures only — reporting takes no
free text a curator has not released. Once published, ``content`` carries the whole public report.
"""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from shared.envelope import EventData
from shared.events.common import Code, ShortText, Strict, Summary, Description, Title
from shared.events.initiatives import OrganizerKind


class Partner(Strict):
    """Someone who took part in the initiative with its organiser (joint work is what Öppna Malmö is for)."""

    name: ShortText
    kind: OrganizerKind
    source: str | None = Field(default=None, max_length=500, description="The partner's registered source URI, once a curator linked it.")


class Material(Strict):
    """A method or material others can reuse."""

    title: ShortText
    url: HttpUrl


class ReportContent(Strict):
    """One revision of an outcome report, in Swedish (required) and English and other languages (optional)."""

    what_happened: Description
    worked: Summary | None = None
    did_not_work: Summary | None = None
    participants: int = Field(ge=0, le=1_000_000, description="The organiser's own count of participants.")
    target_groups: list[Code] = Field(default_factory=list, max_length=20, description="Target groups reached (vocabulary codes).")
    districts: list[Code] = Field(default_factory=list, max_length=20, description="Districts reached (vocabulary codes).")
    partners: list[Partner] = Field(default_factory=list, max_length=30)
    materials: list[Material] = Field(default_factory=list, max_length=20)
    spent_sek: int = Field(ge=0, le=100_000_000, description="Money spent on the initiative, SEK.")


class ReportSubmittedV1(ReportContent, EventData):
    """A publisher's outcome report for one of its initiatives (a higher ``revision`` replaces a lower)."""

    event_type = "se.malmo.oppna.report.submitted.v1"
    external_id: str = Field(min_length=1, max_length=200, description="The initiative's id at its publisher.")
    revision: int = Field(ge=1, description="Grows with each revision of this report.")


class ReportStatus(StrEnum):
    submitted = "submitted"
    in_review = "in_review"
    changes_requested = "changes_requested"
    published = "published"


class ReportFigures(BaseModel):
    """What followers may count before publication: figures and codes, no free text."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    participants: int
    spent_sek: int
    target_groups: list[str] = Field(default_factory=list)
    districts: list[str] = Field(default_factory=list)
    partner_kinds: list[OrganizerKind] = Field(default_factory=list, description="Each partner's kind (a joint initiative has at least one).")


class ReportStateV1(EventData):
    """An outcome report as it stands after a change (filed, revised, reviewed, published)."""

    event_type = "se.malmo.oppna.report.changed.v1"
    initiative_id: str
    source: str = Field(description="The initiative's publisher.")
    edition_id: str | None = Field(default=None, description="The edition the initiative belongs to.")
    version: int = Field(ge=1, description="Grows with every change of this report: a follower keeps the newest.")
    revision: int = Field(ge=1)
    status: ReportStatus
    figures: ReportFigures
    title: Title | None = Field(default=None, description="The initiative's title, once published.")
    content: ReportContent | None = Field(default=None, description="The whole report, only once published.")
    published_at: str | None = None


REPORT_EVENTS: tuple[type[ReportStateV1], ...] = (ReportStateV1,)
