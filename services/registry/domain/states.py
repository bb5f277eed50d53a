"""The stored state of each of the registry's aggregates, as the decisions read and return it.

Plain dicts as stored (``state`` of the document), typed here so a decision names what it reads.
``total=False``: a state read back may lack a field added later (``late``, ``reviews``,
``contact_erased_at``), and the decisions read those with ``.get``.
"""

from typing import Any, TypedDict


class HistoryEntry(TypedDict):
    """One revision or withdrawal the publisher sent, in revision order; ``applied: False`` when it
    came after a newer one (kept, but it changed nothing)."""

    revision: int
    kind: str  # "revision" | "withdrawal"
    event_id: str
    via: str  # "kafka" | "rest"
    received_at: str
    applied: bool
    content: dict[str, Any] | None


class LateMark(TypedDict):
    """A submission received after its edition's window closed (``domain.editions.lateness``)."""

    edition_id: str
    submission_closes_on: str
    received_on: str


class Review(TypedDict, total=False):
    decision: str
    comment: str
    decided_at: str
    curator: str
    revision: int  # in ``reviews`` only: the revision the step was taken on


class InitiativeState(TypedDict, total=False):
    """An initiative (``_id`` = ``initiative_id``, from the publisher's source and external id)."""

    initiative_id: str
    source: str
    external_id: str
    revision: int
    status: str  # an ``InitiativeStatus`` value
    stamped: bool
    content: dict[str, Any] | None  # the current revision's content, with the organiser's contact
    received_at: str
    updated_at: str
    history: list[HistoryEntry]
    withdrawn_revision: int | None
    queued_at: str | None  # since when it waits for review (None: not waiting)
    late: LateMark | None
    edition_id: str | None  # the edition it belongs to (domain.editions.edition_of), by its period when submitted or revised
    review: Review | None  # the last step
    reviews: list[Review]
    contact_erased_at: str


class KeyEntry(TypedDict):
    key_id: str
    sha256: str
    created_at: str
    revoked_at: str | None


class SourceState(TypedDict, total=False):
    """A publisher (``_id`` = its CloudEvents source URI)."""

    source: str
    kind: str
    name: dict[str, str]  # sv, en
    kafka_principal: str | None
    active: bool
    keys: list[KeyEntry]
    created_at: str
    updated_at: str


class Term(TypedDict, total=False):
    labels: dict[str, str]  # by language: sv and en always, any other language of the languages vocabulary where given
    retired: bool
    endonym: str  # the languages vocabulary only: the language's name in itself
    direction: str  # the languages vocabulary only: "rtl" where it is (none: ltr)
    platform: bool  # the languages vocabulary only: pages and messages are offered in it


class VocabularyState(TypedDict, total=False):
    """One vocabulary (``_id`` = its name): every term ever added, retired ones included."""

    vocabulary: str
    terms: dict[str, Term]
    updated_at: str


class EditionState(TypedDict, total=False):
    """The registry's copy of a scheduling edition: the newest version told, its periods as ISO days."""

    edition_id: str
    version: int
    starts_on: str
    ends_on: str
    submission_opens_on: str | None
    submission_closes_on: str | None
    status: str


class ReportRevision(TypedDict):
    """One revision of an outcome report the publisher sent (kept whole, in revision order)."""

    revision: int
    content: dict[str, Any]  # a ``shared.events.reports.ReportContent``
    via: str  # "kafka" | "rest"
    event_id: str | None  # the CloudEvent's id (None over REST, where the body is the content)
    received_at: str


class ReportState(TypedDict, total=False):
    """An initiative's outcome report (``_id`` = the initiative's id; one report per initiative).

    ``title``, ``themes`` and ``edition_id`` are the initiative's as they were when the report was
    last filed (what the public list filters by and the published event names)."""

    initiative_id: str
    source: str
    external_id: str
    edition_id: str | None
    title: dict[str, str]
    themes: list[str]
    revision: int
    status: str  # a ``ReportStatus`` value
    content: dict[str, Any]  # the current revision's, with the partners' linked sources
    revisions: list[ReportRevision]
    review: Review | None  # the last step
    reviews: list[Review]
    queued_at: str | None  # since when it waits for a curator (None: not waiting)
    filed_at: str
    updated_at: str
    published_at: str | None


class SessionSeen(TypedDict):
    version: int
    starts_at: str
    status: str


class SessionStartsState(TypedDict, total=False):
    """The registry's copy of an initiative's sessions at scheduling (``_id`` = the initiative's
    id): each session's newest version, start and status — enough to know when the first began."""

    initiative_id: str
    sessions: dict[str, SessionSeen]  # by session id
