"""The CloudEvents 1.0 envelope, structured JSON mode, as one strict pydantic model.

Strict where the contract is (ARCHITECTURE.md, "The event envelope"), open where the spec is:
extension attributes pass through. Parsing never raises anything but ``InvalidEvent``, whose
reasons name the field and the reason, machine-readable, for dead letters and 422 answers.
"""

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import from_json

CONTENT_TYPE = "application/cloudevents+json"
TYPE_PATTERN = r"^se\.malmo\.oppna\.[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+\.v[1-9][0-9]*$"
# W3C trace context, version 00: https://www.w3.org/TR/trace-context/#traceparent-header
TRACEPARENT_PATTERN = r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
MAX_EVENT_BYTES = 256 * 1024


class Reason(BaseModel):
    """Why a message or a request was refused: which field, a stable code, and words."""

    model_config = ConfigDict(frozen=True)

    field: str = Field(description="Dotted path of the field, '' for the whole message.", examples=["data.title.sv"])
    code: str = Field(description="Stable machine-readable code.", examples=["missing"])
    message: str = Field(description="Human-readable explanation (English).", examples=["Field required"])


class InvalidEvent(Exception):
    def __init__(self, reasons: list[Reason]):
        super().__init__("; ".join(f"{r.field or '<message>'}: {r.message}" for r in reasons))
        self.reasons = reasons


def reasons_from(error: ValidationError, prefix: str = "") -> list[Reason]:
    out = []
    for e in error.errors(include_url=False):
        path = ".".join(str(p) for p in e["loc"])
        field = f"{prefix}.{path}" if prefix and path else (prefix or path)
        out.append(Reason(field=field, code=e["type"], message=e["msg"]))
    return out


class EventData(BaseModel):
    """Base of every event's data: one frozen model per type; consumers ignore unknown fields."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    event_type: ClassVar[str]


D = TypeVar("D", bound=EventData)


class Envelope(BaseModel):
    """A CloudEvent 1.0 in structured JSON mode, as carried on every topic."""

    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: Annotated[str, Field(min_length=1, max_length=200, description="Unique per event; consumers deduplicate on (source, id).")]
    source: Annotated[str, Field(min_length=1, max_length=500, pattern=r"^\S+$", description="URI-reference of the publishing system.", examples=["urn:malmo:source:kulturforvaltningen"])]
    type: Annotated[str, Field(pattern=TYPE_PATTERN, max_length=200, examples=["se.malmo.oppna.initiative.submitted.v1"])]
    subject: Annotated[str | None, Field(default=None, max_length=500, description="The aggregate's id.")]
    time: AwareDatetime = Field(description="RFC 3339 time of the fact.")
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: Annotated[str | None, Field(default=None, max_length=500)]
    traceparent: Annotated[str | None, Field(default=None, pattern=TRACEPARENT_PATTERN)]
    data: dict[str, Any]

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


def new_event(
    data: EventData,
    *,
    source: str,
    subject: str | None,
    event_id: str | None = None,
    time: datetime | None = None,
    traceparent: str | None = None,
) -> Envelope:
    return Envelope(
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=data.event_type,
        subject=subject,
        time=time or datetime.now(UTC),
        traceparent=traceparent,
        data=data.model_dump(mode="json", exclude_none=True),
    )


def parse_envelope(raw: bytes | str) -> Envelope:
    """Bytes from the wire to an envelope, or ``InvalidEvent`` with reasons."""
    if len(raw) > MAX_EVENT_BYTES:
        raise InvalidEvent([Reason(field="", code="too_large", message=f"Message is larger than {MAX_EVENT_BYTES} bytes")])
    risky = _may_hold_unstorable(raw)
    doc = _decode(raw, risky)
    if not isinstance(doc, dict):
        raise InvalidEvent([Reason(field="", code="not_an_object", message="A CloudEvent is a JSON object")])
    bad = _unstorable_text(doc) if risky else None
    if bad is not None:
        raise InvalidEvent([Reason(field=bad, code="forbidden_character", message="Text holds U+0000 or a lone surrogate (not storable, not UTF-8)")])
    try:
        return Envelope.model_validate(doc)
    except ValidationError as e:
        raise InvalidEvent(reasons_from(e)) from None


def _decode(raw: bytes | str, risky: bool) -> Any:
    """The document ``json.loads`` reads, decoded by pydantic_core's parser where it can: a third of
    the time (a rebuild decodes every event of every topic). Where the two could differ, json.loads
    decides: ``risky`` text (not bytes, or bytes that may hold NUL or a lone surrogate: the walk
    below must see what json.loads makes of them), and whatever from_json refuses (a BOM, UTF-16, a
    raw control character, a trailing comma…), which json.loads accepts or words the refusal of.
    For the rest they agree (tests/unit/test_envelope.py holds a corpus of the cases)."""
    if not risky:  # bytes, no NUL, no escape or bytes of a lone surrogate
        try:
            return from_json(raw)
        except ValueError:
            pass
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError) as e:
        raise InvalidEvent([Reason(field="", code="not_json", message=f"Not JSON: {e}")]) from None


# In UTF-8 JSON bytes a NUL or a lone surrogate arrives either escaped (``\u0000``, ``\ud800``) or,
# for a surrogate, as the bytes ED A0–BF xx, which json.loads decodes with "surrogatepass" (a raw
# NUL it rejects). Without either the walk below can be skipped: it was ~85 % of a rebuild's
# replay time. A false alarm (an escaped backslash, a valid pair) only costs the walk.
_UNSTORABLE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])|\xed[\xa0-\xbf]")


def _may_hold_unstorable(raw: bytes | str) -> bool:
    # str, or bytes with NULs (UTF-16/32, which json.loads also reads): always walk. The regex runs
    # only where it can match (a ``\u`` or an ED byte, found at memchr speed): scanning every
    # event with it cost as much as validating the envelope.
    if not isinstance(raw, bytes) or b"\x00" in raw:
        return True
    return (b"\\u" in raw or b"\xed" in raw) and _UNSTORABLE_ESCAPE.search(raw) is not None


def _forbidden(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= c <= "\udfff" for c in text)


def _unstorable_text(value, path: str = "") -> str | None:
    """The dotted path of the first key or string holding NUL or a lone surrogate: JSON escapes
    them (\\u0000, \\ud800), but no database stores them and UTF-8 cannot encode a surrogate."""
    if isinstance(value, str):
        return path if _forbidden(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        sub = f"{path}.{k}" if path else str(k)
        if isinstance(k, str) and _forbidden(k):
            return sub
        found = _unstorable_text(v, sub)
        if found is not None:
            return found
    return None


def parse_data(envelope: Envelope, model: type[D]) -> D:
    try:
        return model.model_validate(envelope.data)
    except ValidationError as e:
        raise InvalidEvent(reasons_from(e, prefix="data")) from None
