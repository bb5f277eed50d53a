"""A dead letter: what it keeps of the message it refuses (bounded, and readable by its publisher), and its event."""

import base64
import contextlib
import uuid
from datetime import UTC, datetime

from aiokafka import ConsumerRecord

from shared.envelope import Envelope, Headers, new_event, readable
from shared.events.dead_letters import MessageFailedV1, MessageRejectedV1, OriginalHeader, OriginalMessage

# A dead letter must itself be a valid event (under MAX_EVENT_BYTES, and under Kafka's message
# limit): of an original larger than this, only its first bytes are kept, without the text copy.
ORIGINAL_KEPT_BYTES = 64 * 1024
# Of its CloudEvents headers, this many, each cut to this length (a dead letter stays bounded).
ORIGINAL_KEPT_HEADERS, ORIGINAL_HEADER_CHARS = 50, 1000


def _cloudevents_headers(msg: ConsumerRecord) -> list[OriginalHeader]:
    kept = []
    for name, value in (msg.headers or ())[:ORIGINAL_KEPT_HEADERS]:
        if name.lower().startswith("ce_") or name.lower() == "content-type":
            text = (value or b"").decode("utf-8", errors="replace")
            kept.append(OriginalHeader(name=name[:ORIGINAL_HEADER_CHARS], value=text[:ORIGINAL_HEADER_CHARS]))
    return kept


def received_at(msg: ConsumerRecord) -> datetime:
    """The record's timestamp (the producer's or the broker's), the receipt time of an event
    without ``time``: the same on every redelivery."""
    return datetime.fromtimestamp(msg.timestamp / 1000, UTC) if msg.timestamp and msg.timestamp > 0 else datetime.now(UTC)


def readable_fields(raw: bytes | None, headers: Headers) -> dict[str, str | None]:
    """The ``ce_*`` fields of a dead letter for a message that could not be parsed."""
    found = readable(raw, headers)
    return {"ce_source": found.get("source"), "ce_id": found.get("id"), "ce_type": found.get("type")}


def original_of(msg: ConsumerRecord, envelope_fields: dict[str, str | None] | None = None) -> OriginalMessage:
    value = msg.value or b""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" in text:
        text = None  # no database stores a NUL: the bytes (base64) say it all
    if len(value) > ORIGINAL_KEPT_BYTES:
        value, text = value[:ORIGINAL_KEPT_BYTES], None
    key = None
    if msg.key is not None:
        with contextlib.suppress(UnicodeDecodeError):
            key = msg.key.decode("utf-8")
    return OriginalMessage(
        topic=msg.topic,
        partition=msg.partition,
        offset=msg.offset,
        key=key,
        value_base64=base64.b64encode(value).decode(),
        value_text=text,
        headers=_cloudevents_headers(msg),
        **(envelope_fields or {}),
    )


def dead_letter_event(data: MessageRejectedV1 | MessageFailedV1, group: str, service_name: str) -> Envelope:
    """The dead letter's event. Its id follows from the message's place, so a redelivered
    message's dead letter is recognisably the same one (consumers deduplicate on source and id)."""
    place = f"{group}|{data.original.topic}|{data.original.partition}|{data.original.offset}"
    return new_event(data, source=f"urn:malmo:oppna:{service_name}", subject=data.original.ce_id,
                     event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, place)))
