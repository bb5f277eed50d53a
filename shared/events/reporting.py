"""Reporting's contract: statistics snapshots on ``reporting.statistics.v1``.

A snapshot carries one edition's figures exactly as the public sees them: small numbers
suppressed (see docs/reporting.md). Its event id follows from (edition, figures hash), so the
same figures published twice — on a schedule, at close, after a replay — are recognisably one.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field

from shared.envelope import EventData


class SnapshotReason(StrEnum):
    edition_closed = "edition_closed"
    scheduled = "scheduled"


class StatisticsPublishedV1(EventData):
    """One edition's suppressed figures, for the city's statistics."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    event_type = "se.malmo.oppna.statistics.published.v1"

    edition_id: str = Field(description="The edition (forum period) the figures are about.", examples=["om-2025"])
    edition_year: int | None = Field(default=None, examples=[2025])
    reason: SnapshotReason = Field(description="Why it was published: the edition closed, or the schedule.")
    threshold: int = Field(ge=1, description="Counts below this were suppressed (primary and secondary).", examples=[5])
    figures_hash: str = Field(description="SHA-256 of the canonical JSON of `figures`.")
    figures: dict[str, Any] = Field(
        description="By area (initiatives, participation, reach, money): by dimension, a suppressed table."
    )
    computed_at: datetime = Field(description="When the figures were computed (not part of the hash).")
