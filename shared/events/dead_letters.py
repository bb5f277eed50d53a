"""A message the platform could not take, kept verbatim with the reasons, never dropped."""

from pydantic import BaseModel, ConfigDict, Field

from shared.envelope import EventData, Reason


class OriginalHeader(BaseModel):
    """One CloudEvents header of the original message (``ce_*`` or ``content-type``), as text."""

    model_config = ConfigDict(frozen=True)
    name: str
    value: str


class OriginalMessage(EventData):
    topic: str
    partition: int
    offset: int
    key: str | None = Field(default=None, description="The Kafka key, as text when it was UTF-8.")
    value_base64: str = Field(description="The original bytes, exactly.")
    value_text: str | None = Field(default=None, description="The original bytes as text, when they were UTF-8.")
    ce_source: str | None = Field(default=None, description="The CloudEvents source, when it could be read.")
    ce_id: str | None = Field(default=None, description="The CloudEvents id, when it could be read.")
    ce_type: str | None = Field(default=None, description="The CloudEvents type, when it could be read.")
    headers: list[OriginalHeader] = Field(
        default_factory=list,
        description="Its CloudEvents headers (ce_* and content-type): a binary-mode message's attributes.",
    )


class MessageRejectedV1(EventData):
    """Refused for what it is (not JSON, not a CloudEvent, unknown type, invalid data, not allowed)."""

    event_type = "se.malmo.oppna.message.rejected.v1"
    consumer: str = Field(description="The consumer group that refused it.", examples=["registry.submissions"])
    reasons: list[Reason] = Field(min_length=1)
    original: OriginalMessage


class MessageFailedV1(EventData):
    """Valid, but its handler kept failing after bounded retries."""

    event_type = "se.malmo.oppna.message.failed.v1"
    consumer: str
    attempts: int
    reasons: list[Reason] = Field(min_length=1)
    original: OriginalMessage
