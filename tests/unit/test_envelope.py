"""The CloudEvents envelope: strict where the contract is, and readable by the official SDK."""

import json
from datetime import UTC, datetime

import pytest
from cloudevents.core.bindings import http as http_binding
from cloudevents.core.bindings import kafka as kafka_binding
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from hypothesis import given
from hypothesis import strategies as st

from shared.envelope import InvalidEvent, http_headers, kafka_headers, new_event, parse_data, parse_envelope, readable
from shared.events.initiatives import InitiativeSubmittedV1
from tests.platform import submission


def codes(raw) -> set[tuple[str, str]]:
    with pytest.raises(InvalidEvent) as e:
        parse_envelope(raw)
    return {(r.field, r.code) for r in e.value.reasons}


def test_a_valid_submission_parses_to_its_model():
    event = parse_envelope(json.dumps(submission("urn:malmo:source:kf", "KF-1")))
    data = parse_data(event, InitiativeSubmittedV1)
    assert data.external_id == "KF-1" and data.themes == ["democracy", "participation"]
    assert data.title.sv == "Demokratisamtal KF-1"


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"\x00\x01garbage", {("", "not_json")}),
        (b"[1, 2]", {("", "not_an_object")}),
        (json.dumps({"specversion": "0.3"}).encode(), {("specversion", "literal_error"), ("id", "missing"), ("source", "missing"), ("type", "missing"), ("data", "missing")}),
    ],
)
def test_what_is_not_a_cloudevent_is_refused_with_the_fields_named(raw, expected):
    assert codes(raw) == expected


def test_type_must_follow_the_naming_rule_and_time_must_have_a_zone():
    e = submission("urn:malmo:source:kf", "KF-1")
    assert codes(json.dumps({**e, "type": "InitiativeSubmitted"})) == {("type", "string_pattern_mismatch")}
    assert codes(json.dumps({**e, "time": "2025-10-06T10:00:00"})) == {("time", "timezone_aware")}


def test_invalid_data_names_each_field_under_data():
    e = submission("urn:malmo:source:kf", "KF-1", revision=0, themes=[], organizer={"kind": "company", "name": "X"})
    with pytest.raises(InvalidEvent) as err:
        parse_data(parse_envelope(json.dumps(e)), InitiativeSubmittedV1)
    assert {r.field for r in err.value.reasons} == {"data.revision", "data.themes", "data.organizer.kind"}


def test_unknown_data_fields_are_refused_so_a_publishers_typo_is_seen():
    e = submission("urn:malmo:source:kf", "KF-1", tittle={"sv": "x"})
    with pytest.raises(InvalidEvent) as err:
        parse_data(parse_envelope(json.dumps(e)), InitiativeSubmittedV1)
    assert [(r.field, r.code) for r in err.value.reasons] == [("data.tittle", "extra_forbidden")]


def test_our_events_are_read_by_the_official_cloudevents_sdk_and_back():
    data = InitiativeSubmittedV1.model_validate(submission("urn:malmo:source:kf", "KF-9")["data"])
    ours = new_event(data, source="urn:malmo:source:kf", subject="KF-9", traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01")
    sdk_event = JSONFormat().read(None, ours.to_bytes())
    assert sdk_event.get_type() == "se.malmo.oppna.initiative.submitted.v1"
    assert sdk_event.get_id() == ours.id and sdk_event.get_extension("traceparent") == ours.traceparent
    again = parse_envelope(JSONFormat().write(sdk_event))
    assert again == ours


def _with_title(text_json: bytes) -> bytes:
    """A valid submission as UTF-8 bytes whose Swedish title is the given JSON string literal."""
    event = submission("urn:malmo:source:kf", "KF-2")
    event["data"]["title"]["sv"] = "@@TITLE@@"
    return json.dumps(event, ensure_ascii=False).encode().replace(b'"@@TITLE@@"', text_json)


@pytest.mark.parametrize(
    "title",
    [
        b'"Samtal\\u0000"',  # an escaped NUL: PostgreSQL cannot store it
        b'"Samtal \\ud800"',  # an escaped lone surrogate
        b'"Samtal \xed\xa0\x80"',  # a lone surrogate as raw bytes: json.loads takes it ("surrogatepass")
    ],
)
def test_text_that_cannot_be_stored_is_refused_naming_the_field(title):
    assert codes(_with_title(title)) == {("data.title.sv", "forbidden_character")}


def test_swedish_letters_emoji_and_escaped_pairs_are_accepted():
    event = parse_envelope(_with_title('"Möte på Rosengård 😀 \\ud83d\\ude00"'.encode()))
    assert parse_data(event, InitiativeSubmittedV1).title.sv == "Möte på Rosengård 😀 😀"


JSON_CORNERS = [
    b'{"a":"x\ty"}', b'{"a":NaN}', b'{"a":1E400}', b'{"a":-0}', b'{"a":01}', b'\xef\xbb\xbf{"a":1}', b'{"a":1,"a":2,"b":3}',
    b'{"a":"\\u00e9"}', b'{"a":1e2}', b'{"a":123456789012345678901234567890}', b'{"a":"\\ud83d\\ude00"}', b'{"a":"\xff"}',
    b'{"a":[1,]}', b'{"a":1} x', b' {"a":1} \n', b'{"a":-Infinity}', b'{"a":4.9e-325}', b'{"\\u0061":1}', b'{"a":' + b"1" * 4301 + b"}",
    b"[" * 3000 + b"]" * 3000, '{"a":1}'.encode("utf-16"), b'{"a":"\xc3\xa9"}', b'{"a":"\xed\xa0\x80"}', b'{"a":"\\u0000"}',
]


def _loads_or_refused(raw):
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return "refused"


@pytest.mark.parametrize("raw", JSON_CORNERS)
def test_an_event_is_decoded_as_json_loads_decodes_it_whichever_parser_reads_it(raw):
    from shared.envelope import _decode, _may_hold_unstorable

    try:
        got = _decode(raw, _may_hold_unstorable(raw))
    except InvalidEvent:
        got = "refused"
    except RecursionError:
        got = "refused"
    expected = _loads_or_refused(raw)
    assert repr(got) == repr(expected)  # repr: NaN is not equal to itself


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c), max_leaves=20),
       st.booleans())
def test_any_json_document_decodes_to_what_json_loads_gives(value, ascii_only):
    from shared.envelope import _decode, _may_hold_unstorable

    raw = json.dumps({"v": value}, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert repr(_decode(raw, _may_hold_unstorable(raw))) == repr(_loads_or_refused(raw))


# ---- CloudEvents 1.0's required attributes: specversion yes, time no ----------------------------


def test_specversion_is_required_as_cloudevents_1_0_requires_it():
    event = submission("urn:malmo:source:kf", "KF-1")
    del event["specversion"]
    assert codes(json.dumps(event)) == {("specversion", "missing")}


def test_time_is_optional_and_an_event_without_it_gets_its_receipt_time():
    event = submission("urn:malmo:source:kf", "KF-1")
    del event["time"]
    received = datetime(2025, 9, 1, 8, 0, 1, tzinfo=UTC)
    assert parse_envelope(json.dumps(event), received_at=received).time == received
    assert parse_envelope(json.dumps(event)).time.tzinfo is not None, "without a receipt time given: now"


# ---- binary mode: ce_* Kafka headers / ce-* HTTP headers, the body is the data ------------------


def sdk_event(source: str = "urn:malmo:source:kf", external_id: str = "KF-7", **attrs) -> CloudEvent:
    """The official SDK's CloudEvent of a valid submission, as a Java or Go publisher builds one."""
    e = submission(source, external_id)
    data = e.pop("data")
    e.pop("time")
    return CloudEvent(attributes={**e, "time": datetime(2025, 9, 1, 10, 0, tzinfo=UTC), **attrs}, data=data)


def test_a_binary_mode_kafka_message_from_the_official_sdk_parses_as_its_structured_twin():
    event = sdk_event(traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01")
    binary, structured = kafka_binding.to_binary(event, JSONFormat()), kafka_binding.to_structured(event, JSONFormat())
    assert "ce_specversion" in binary.headers and binary.value == JSONFormat().write_data(event.get_data(), "application/json")
    ours = parse_envelope(binary.value, kafka_headers(binary.headers.items()))
    assert ours == parse_envelope(structured.value, kafka_headers(structured.headers.items()))
    assert ours.traceparent == event.get_extension("traceparent") and ours.source == "urn:malmo:source:kf"
    assert parse_data(ours, InitiativeSubmittedV1).external_id == "KF-7"


def test_a_binary_mode_http_request_from_the_official_sdk_parses_as_its_structured_twin():
    event = sdk_event(subject="KF 7 / ö")  # percent-encoded in an HTTP header
    binary, structured = http_binding.to_binary(event, JSONFormat()), http_binding.to_structured(event, JSONFormat())
    ours = parse_envelope(binary.body, http_headers(binary.headers))
    assert ours == parse_envelope(structured.body, http_headers(structured.headers))
    assert ours.subject == "KF 7 / ö"


def binary_codes(headers: dict[str, bytes], value: bytes) -> set[tuple[str, str]]:
    with pytest.raises(InvalidEvent) as e:
        parse_envelope(value, kafka_headers(headers.items()))
    return {(r.field, r.code) for r in e.value.reasons}


def test_a_bad_binary_mode_message_is_refused_naming_the_attribute_not_a_missing_body_field():
    message = kafka_binding.to_binary(sdk_event(), JSONFormat())
    without_id = {k: v for k, v in message.headers.items() if k != "ce_id"}
    assert binary_codes(without_id, message.value) == {("id", "missing")}
    assert binary_codes(message.headers, b"not json") == {("data", "not_json")}
    assert binary_codes(without_id, b"not json") == {("id", "missing"), ("data", "not_json")}, "every reason at once"
    assert binary_codes({**message.headers, "content-type": b"text/plain"}, message.value) == {("datacontenttype", "unsupported_content_type")}
    assert binary_codes({**message.headers, "ce_specversion": b"0.3"}, message.value) == {("specversion", "literal_error")}
    no_time = {k: v for k, v in message.headers.items() if k != "ce_time"}
    assert parse_envelope(message.value, kafka_headers(no_time.items()), received_at=datetime(2025, 9, 1, tzinfo=UTC)).time.year == 2025


def test_the_source_of_a_refused_message_is_read_from_its_body_or_else_its_ce_source_header():
    message = kafka_binding.to_binary(sdk_event(source="urn:malmo:source:hdr"), JSONFormat())
    assert readable(b"not json", kafka_headers(message.headers.items()))["source"] == "urn:malmo:source:hdr"
    structured = {"source": "urn:malmo:source:body", "id": "x-1", "type": 7}
    assert readable(json.dumps(structured).encode(), kafka_headers([("ce_source", b"urn:malmo:source:hdr")])) == {"source": "urn:malmo:source:body", "id": "x-1"}
    assert readable(b"\x00garbage", kafka_headers([])) == {}
    assert readable(json.dumps({"source": "has spaces in it"}).encode(), None) == {}, "only what could be a source URI"
