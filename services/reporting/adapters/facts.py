"""What reporting reads of another service's events where it takes no shared event class."""

from typing import Any

from pydantic import ConfigDict

from shared.envelope import EventData


class InitiativeFacts(EventData):
    """What reporting reads of every registry event (each carries the full state): tolerant, so
    the review events and fields the registry adds are taken without a new model here."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    event_type = "se.malmo.oppna.initiative.*"
    initiative_id: str
    source: str
    version: int
    status: str
    stamped: bool = False
    content: dict[str, Any] | None = None
    received_at: str | None = None
    updated_at: str | None = None
    review: dict[str, Any] | None = None
