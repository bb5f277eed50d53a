"""The states reporting stores, one TypedDict per kind of document: only what is counted.

Every state is plain JSON (strings, numbers, lists), the same in MongoDB and in memory, and never
holds text written by a person, contacts or anything else personal. Each summary carries the
``version`` of the aggregate it summarises: the newest wins (``domain/decisions.py``).
"""

from typing import TypedDict


class InitiativeSummary(TypedDict):
    """An initiative as the registry last published it, and its first review decision ever seen."""

    initiative_id: str
    version: int
    source: str
    status: str
    stamped: bool
    organizer_kind: str | None
    organizer_name: str | None  # an organisation's name (a city administration's, for the money area)
    themes: list[str]
    target_groups: list[str]
    districts: list[str]
    languages: list[str]
    origin: str | None
    period_start: str | None
    period_end: str | None
    requested_sek: int
    own_funding_sek: int
    received_at: str | None
    first_decided_at: str | None  # the earliest review decision: the end of the review lead time


class SessionSummary(TypedDict):
    session_id: str
    version: int
    edition_id: str
    initiative_id: str
    organizer_kind: str | None
    organizer_name: str | None
    themes: list[str]
    districts: list[str]
    languages: list[str]
    starts_at: str
    capacity: int
    registration_required: bool
    status: str


class RegistrationSummary(TypedDict):
    """A registration without its contact: a party's size, language and channel, no person."""

    registration_id: str
    version: int
    session_id: str
    edition_id: str
    status: str
    party_size: int
    language: str | None
    channel: str | None
    attended: bool


class EditionSummary(TypedDict):
    edition_id: str
    version: int
    name: dict[str, str]
    year: int
    starts_on: str
    ends_on: str
    budget_sek: int
    status: str


class DeliveryRecord(TypedDict):
    """One outcome of one message (the reach area): a fact, counted once by its ``key``."""

    key: str  # message id | outcome
    channel: str
    language: str
    category: str
    outcome: str
    edition_id: str | None


class PublishedSnapshot(TypedDict):
    """A statistics snapshot published (by its event id): the same figures are not published again."""

    edition_id: str
    reason: str
    figures_hash: str
    at: str


class GrantBook(TypedDict):
    """An edition's grants as the registry last told them (``registry.grants.v1``)."""

    edition_id: str
    version: int
    budget_sek: int
    granted: dict[str, int]  # SEK by initiative id


class ReportSummary(TypedDict):
    """An outcome report's figures (``registry.reports.v1``): never its free text, whatever its status."""

    initiative_id: str
    version: int
    edition_id: str | None
    status: str
    participants: int
    spent_sek: int
    target_groups: list[str]
    districts: list[str]
    partner_kinds: list[str]


class AnswerRecord(TypedDict):
    """One anonymous feedback answer, counted once by its event id (``key``)."""

    key: str
    session_id: str
    initiative_id: str
    edition_id: str | None
    score: int
    would_come_again: bool | None


class CommentRecord(TypedDict):
    """A comment a curator released, counted once by its id; its text is not kept."""

    key: str
    session_id: str
    initiative_id: str
    edition_id: str | None
