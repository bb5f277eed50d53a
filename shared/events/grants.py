"""Grants: what the city grants each initiative of an edition, never more than the edition's budget.

``registry.grants.v1`` is compacted and keyed by the edition id: each event is the edition's whole
grant book after a curator's change, so the newest event of an edition is all a follower needs.
"""

from pydantic import Field

from shared.envelope import EventData


class GrantsChangedV1(EventData):
    """An edition's grants after a curator granted, changed or withdrew one (sum ≤ budget, always)."""

    event_type = "se.malmo.oppna.grants.changed.v1"
    edition_id: str
    version: int = Field(ge=1, description="Grows with every change of this edition's grants.")
    budget_sek: int = Field(ge=0, description="The edition's budget when the grants were last changed.")
    granted: dict[str, int] = Field(description="SEK granted, by initiative id (absent: none).")
    granted_sek: int = Field(ge=0, description="Their sum (never above budget_sek).")


GRANT_EVENTS: tuple[type[GrantsChangedV1], ...] = (GrantsChangedV1,)
