"""Source contracts: the registry tells each publisher's full current state, keys as hashes only.

``registry.sources.v1`` is compacted and keyed by the source's id (its CloudEvents ``source``
URI), so the newest event of each source is all a follower needs. A follower (scheduling) takes
a publisher's API key as that source's by these events: only each key's SHA-256 travels (keys
are 32 random bytes, so a hash cannot be turned back into a key — docs/decisions/0011), and a
revoked key, or every key of an inactive source, stops working there within the consumer lag.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.envelope import EventData
from shared.events.initiatives import OrganizerKind

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class SourceKey(BaseModel):
    """One API key of the source: its id (the ``om_<key_id>_…`` part), its SHA-256, whether revoked."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    key_id: str = Field(min_length=1, max_length=64, examples=["a1b2c3d4e5f6"])
    sha256: Sha256Hex = Field(description="SHA-256 (hex) of the whole key; the key itself is never told.")
    revoked: bool = False


class SourceChangedV1(EventData):
    """A publisher as it stands after a curator's change (registered, a key added or revoked,
    deactivated or reactivated, renamed): every key, revoked ones too."""

    event_type = "se.malmo.oppna.source.changed.v1"
    source: str = Field(min_length=1, max_length=500, description="The publisher's CloudEvents source URI: the topic's key.",
                        examples=["urn:malmo:source:kulturforvaltningen"])
    version: int = Field(ge=1, description="Grows with every change of this source: a follower keeps the newest.")
    kind: OrganizerKind
    name: dict[str, str] = Field(description="By language: 'sv' and 'en'.", examples=[{"sv": "Kulturförvaltningen", "en": "The Culture Department"}])
    active: bool = Field(description="False: none of its keys is valid and its messages are rejected.")
    keys: list[SourceKey] = Field(max_length=1000)


SOURCE_EVENTS: tuple[type[SourceChangedV1], ...] = (SourceChangedV1,)
