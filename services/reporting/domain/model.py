"""The read model, pure: every summary reporting keeps, by kind and id, held in memory.

The stored summaries (``domain/states.py``) are loaded into it at start and each change is put
into it after it is stored; every figure is computed from it.
"""

from dataclasses import dataclass, field
from typing import Any

from services.reporting.domain.states import (
    AnswerRecord,
    CommentRecord,
    DeliveryRecord,
    EditionSummary,
    GrantBook,
    InitiativeSummary,
    RegistrationSummary,
    ReportSummary,
    SessionSummary,
)

KINDS = ("initiatives", "sessions", "registrations", "editions", "deliveries", "grants", "reports", "answers", "comments")

ID_FIELD = {
    "initiatives": "initiative_id",
    "sessions": "session_id",
    "registrations": "registration_id",
    "editions": "edition_id",
    "deliveries": "key",
    "grants": "edition_id",
    "reports": "initiative_id",
    "answers": "key",
    "comments": "key",
}


@dataclass
class ReadModel:
    """Every aggregate's latest summary, by kind and id: held in memory, refreshed by events."""

    initiatives: dict[str, InitiativeSummary] = field(default_factory=dict)
    sessions: dict[str, SessionSummary] = field(default_factory=dict)
    registrations: dict[str, RegistrationSummary] = field(default_factory=dict)
    editions: dict[str, EditionSummary] = field(default_factory=dict)
    deliveries: dict[str, DeliveryRecord] = field(default_factory=dict)
    grants: dict[str, GrantBook] = field(default_factory=dict)  # by edition
    reports: dict[str, ReportSummary] = field(default_factory=dict)  # by initiative
    answers: dict[str, AnswerRecord] = field(default_factory=dict)  # by event id
    comments: dict[str, CommentRecord] = field(default_factory=dict)  # by comment id
    # Counts the changes, so what is derived from the model (the public masks) is made once per state.
    revision: int = field(default=0, compare=False)
    derived: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def put(self, kind: str, summary: Any) -> None:
        """``summary``: the state of ``kind`` (one of ``KINDS``), kept by its id."""
        getattr(self, kind)[summary[ID_FIELD[kind]]] = summary
        self.revision += 1

    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in KINDS}
