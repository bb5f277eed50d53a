"""The CloudEvents 1.0 envelope as one strict pydantic model, read in structured or binary mode.

Strict where the contract is (docs/reliability.md, "The event envelope…"), open where the spec
is: extension attributes pass through. What the platform writes is structured JSON; what
publishers send may also be binary mode (the default of the Java and Go SDKs' Kafka
serializers): the attributes in ``ce_*`` Kafka headers or ``ce-*`` HTTP headers, the data as
the body, ``content-type`` = ``datacontenttype``. A message is binary when it has a
``ce_specversion`` header (the protocol bindings' rule); both modes end in the same model and
are refused with the same reasons. Parsing never raises anything but ``InvalidEvent``, whose
reasons name the field and the reason, machine-readable, for dead letters and 422 answers.
"""

import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, TypeVar
from urllib.parse import unquote

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

    specversion: Literal["1.0"] = Field(description="Required, as CloudEvents 1.0 requires it.")
    id: Annotated[str, Field(min_length=1, max_length=200, description="Unique per event; consumers deduplicate on (source, id).")]
    source: Annotated[str, Field(min_length=1, max_length=500, pattern=r"^\S+$", description="URI-reference of the publishing system.", examples=["urn:malmo:source:kulturforvaltningen"])]
    type: Annotated[str, Field(pattern=TYPE_PATTERN, max_length=200, examples=["se.malmo.oppna.initiative.submitted.v1"])]
    subject: Annotated[str | None, Field(default=None, max_length=500, description="The aggregate's id.")]
    # Optional, as in CloudEvents 1.0: where a publisher leaves it out, the reader puts in its
    # receipt time (``parse_envelope``'s ``received_at``), so every consumer has one.
    time: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC), description="RFC 3339 time of the fact; optional inbound (the receipt time is recorded then).")
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
        specversion="1.0",
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=data.event_type,
        subject=subject,
        time=time or datetime.now(UTC),
        traceparent=traceparent,
        data=data.model_dump(mode="json", exclude_none=True),
    )


@dataclass(frozen=True)
class Headers:
    """A message's CloudEvents headers: its ``ce_``/``ce-`` headers by attribute name (prefix
    stripped, lower case, as text) and its content type. Binary mode when ``specversion`` is
    among them."""

    attributes: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    not_text: tuple[str, ...] = ()  # attributes whose Kafka header was not UTF-8

    @property
    def binary(self) -> bool:
        return "specversion" in self.attributes or "specversion" in self.not_text


def kafka_headers(headers: Iterable[tuple[str, bytes | None]] | None) -> Headers:
    """From a Kafka record's headers (the CloudEvents Kafka protocol binding: ``ce_<name>``)."""
    attributes, content_type, not_text = {}, None, []
    for name, value in headers or ():
        lower = name.lower()
        if lower != "content-type" and not lower.startswith("ce_"):
            continue
        try:
            text = (value or b"").decode("utf-8")
        except UnicodeDecodeError:
            if lower.startswith("ce_"):
                not_text.append(lower[3:])
            continue
        if lower == "content-type":
            content_type = text
        else:
            attributes[lower[3:]] = text
    return Headers(attributes, content_type, tuple(not_text))


def http_headers(headers: Mapping[str, str]) -> Headers:
    """From HTTP headers (the CloudEvents HTTP binding: ``ce-<name>``, values percent-encoded)."""
    attributes = {k.lower()[3:]: unquote(v) for k, v in headers.items() if k.lower().startswith("ce-")}
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    return Headers(attributes, content_type)


# Binary mode's data must be JSON (datacontenttype is application/json); a missing content type
# is taken as JSON, as the JSON event format does.
_JSON_MEDIA_TYPES = {"application/json", "text/json"}


def parse_envelope(raw: bytes | str, headers: Headers | None = None, received_at: datetime | None = None) -> Envelope:
    """A message from the wire to an envelope, or ``InvalidEvent`` with reasons.

    ``headers``: the message's (``kafka_headers``, ``http_headers``); in binary mode they hold the
    attributes and ``raw`` is the data. ``received_at``: the time recorded for an event without
    ``time`` (the Kafka record's timestamp; now if not given)."""
    if len(raw) > MAX_EVENT_BYTES:
        raise InvalidEvent([Reason(field="", code="too_large", message=f"Message is larger than {MAX_EVENT_BYTES} bytes")])
    risky = _may_hold_unstorable(raw)
    doc = _binary_document(raw, headers, risky) if headers is not None and headers.binary else _decode(raw, risky)
    if not isinstance(doc, dict):
        raise InvalidEvent([Reason(field="", code="not_an_object", message="A CloudEvent is a JSON object")])
    bad = _unstorable_text(doc) if risky or (headers is not None and headers.binary) else None
    if bad is not None:
        raise InvalidEvent([Reason(field=bad, code="forbidden_character", message="Text holds U+0000 or a lone surrogate (not storable, not UTF-8)")])
    if "time" not in doc and received_at is not None:
        doc["time"] = received_at
    try:
        return Envelope.model_validate(doc)
    except ValidationError as e:
        raise InvalidEvent(reasons_from(e)) from None


def _binary_document(raw: bytes | str, headers: Headers, risky: bool) -> dict[str, Any]:
    """The structured document a binary-mode message stands for: its attributes, and its body
    (JSON) as ``data``."""
    reasons = [Reason(field=name, code="not_utf8", message=f"Header ce_{name} is not UTF-8 text") for name in headers.not_text]
    media_type = (headers.content_type or "application/json").split(";")[0].strip().lower()
    if media_type not in _JSON_MEDIA_TYPES:
        reasons.append(Reason(field="datacontenttype", code="unsupported_content_type",
                              message=f"The data must be application/json, not {headers.content_type!r}"))
    try:
        data = _decode(raw, risky)
    except InvalidEvent as e:
        data = None
        reasons.extend(r.model_copy(update={"field": "data"}) for r in e.reasons)
    if reasons:  # with what the headers lack too, so a publisher mends everything at once
        raise InvalidEvent(_attribute_reasons(headers.attributes) + reasons)
    return {**headers.attributes, "datacontenttype": "application/json", "data": data}


def _attribute_reasons(attributes: dict[str, str]) -> list[Reason]:
    """What is wrong with a binary-mode message's attributes alone (its data and time aside)."""
    try:
        Envelope.model_validate({"time": datetime.now(UTC), **attributes, "datacontenttype": "application/json", "data": {}})
    except ValidationError as e:
        return reasons_from(e)
    return []


# A source that could be one (as the envelope's rule has it), for a refusal to be shown to it.
_READABLE = {"source": re.compile(r"\S{1,500}"), "id": re.compile(r".{1,200}", re.S), "type": re.compile(TYPE_PATTERN)}


def readable(raw: bytes | str | None, headers: Headers | None) -> dict[str, str]:
    """What of ``source``, ``id`` and ``type`` can be read from a message that was refused: from
    its body when that is a structured event (a JSON object), else from its ``ce_`` headers.
    Only values that could be what they claim; nothing for what cannot be read."""
    doc: Any = None
    if raw and not (headers is not None and headers.binary) and len(raw) <= MAX_EVENT_BYTES:
        try:
            doc = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            doc = None
    doc = doc if isinstance(doc, dict) else {}
    attributes = headers.attributes if headers is not None else {}
    out = {}
    for name, pattern in _READABLE.items():
        value = doc.get(name) if name in doc else attributes.get(name)
        if isinstance(value, str) and pattern.fullmatch(value) and not _forbidden(value):
            out[name] = value
    return out


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
