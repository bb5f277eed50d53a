"""Publishers' Kafka messages in either CloudEvents mode, from another client library than ours,
and every refusal shown to the publisher it names, or counted for staff when it names none.

Messages are built with the official CloudEvents SDK (``to_binary`` / ``to_structured``, the
Kafka protocol binding) and produced with confluent-kafka (librdkafka), as a Java or Go system's
serializer would send them, to the real broker the registry consumes.
"""

import asyncio
import json
import re
import uuid
from datetime import UTC, datetime

import pytest
from cloudevents.core.bindings import http as http_binding
from cloudevents.core.bindings import kafka as kafka_binding
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from confluent_kafka import Producer

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.kafka.security import librdkafka_config
from tests.integration.test_registry_sources import rejections  # the feed, read until n are there
from tests.platform import as_role, as_source, eventually, register_source, service_fixture, submission

CURATOR = as_role(Role.curator)


registry = service_fixture("registry", create_app, RegistrySettings, "bm")


@pytest.fixture(scope="module")
def producer(infra):
    p = Producer({"bootstrap.servers": infra.kafka, "enable.idempotence": True, "client.id": "a-publishers-system", **librdkafka_config()})
    yield p
    p.flush(10)


async def produce(registry, producer: Producer, value: bytes, headers: dict[str, bytes], key: str | None) -> None:
    """One record on the registry's submissions topic, acknowledged by the broker."""
    delivered: list = []
    topic = registry.settings["registry"].topic("registry.submissions.v1")
    producer.produce(topic, value=value, key=key, headers=list(headers.items()), on_delivery=lambda err, msg: delivered.append(err))
    await asyncio.to_thread(producer.flush, 30)
    assert delivered == [None], delivered


def new_source() -> str:
    return f"urn:malmo:source:bm-{uuid.uuid4().hex[:6]}"


def sdk_event(source: str, external_id: str, revision: int = 1) -> CloudEvent:
    """A valid submission as the official SDK's CloudEvent."""
    e = submission(source, external_id, revision=revision)
    data = e.pop("data")
    e["time"] = datetime.now(UTC)
    return CloudEvent(attributes=e, data=data)


async def stored(registry, source: str, external_id: str, key: str) -> dict:
    async def check():
        r = await registry.http["registry"].get("/v1/lookup", params={"source": source, "external_id": external_id}, headers=as_source(key))
        return r.json() if r.status_code == 200 else None

    return await eventually(check, what=f"{external_id} stored")


async def test_binary_and_structured_submissions_from_confluent_kafka_are_both_stored(registry, producer):
    source = new_source()
    key = await register_source(registry, source)
    binary = kafka_binding.to_binary(sdk_event(source, "BM-1"), JSONFormat())
    assert "ce_specversion" in binary.headers
    await produce(registry, producer, binary.value, binary.headers, key="BM-1")
    structured = kafka_binding.to_structured(sdk_event(source, "BM-2"), JSONFormat())
    assert structured.headers == {"content-type": b"application/cloudevents+json"}
    await produce(registry, producer, structured.value, structured.headers, key="BM-2")

    one, two = await stored(registry, source, "BM-1", key), await stored(registry, source, "BM-2", key)
    assert one["content"]["title"]["sv"] == "Demokratisamtal BM-1" and one["source"] == source
    assert two["content"]["title"]["sv"] == "Demokratisamtal BM-2"
    assert one["status"] == two["status"] == "submitted"


async def test_a_binary_submission_without_time_is_stored_with_its_receipt_time(registry, producer):
    source = new_source()
    key = await register_source(registry, source)
    binary = kafka_binding.to_binary(sdk_event(source, "BM-3"), JSONFormat())
    headers = {k: v for k, v in binary.headers.items() if k != "ce_time"}
    await produce(registry, producer, binary.value, headers, key="BM-3")
    state = await stored(registry, source, "BM-3", key)
    assert state["history"][0]["revision"] == 1 and state["history"][0]["received_at"], "the registry's own receipt time"


async def test_a_bad_binary_message_is_in_its_sources_rejections_naming_the_attribute(registry, producer):
    source = new_source()
    key = await register_source(registry, source)
    binary = kafka_binding.to_binary(sdk_event(source, "BM-4"), JSONFormat())
    without_id_and_type = {k: v for k, v in binary.headers.items() if k not in ("ce_id", "ce_type")}
    await produce(registry, producer, binary.value, without_id_and_type, key="BM-4")
    [rejection] = await rejections(registry, source, as_source(key))
    assert {(r["field"], r["code"]) for r in rejection["reasons"]} == {("id", "missing"), ("type", "missing")}
    assert json.loads(rejection["original"]["value_text"]) == json.loads(binary.value), "the data, verbatim"
    headers = {h["name"]: h["value"] for h in rejection["original"]["headers"]}
    assert headers["ce_source"] == source and "ce_id" not in headers


async def test_not_json_and_unparseable_structured_messages_reach_the_source_they_name(registry, producer):
    source = new_source()
    key = await register_source(registry, source)
    await produce(registry, producer, b"\x00 not json", {"ce_source": source.encode()}, key="BM-5")
    no_type = {k: v for k, v in submission(source, "BM-6").items() if k != "type"}
    await produce(registry, producer, json.dumps(no_type).encode(), {"content-type": b"application/cloudevents+json"}, key="BM-6")
    items = await rejections(registry, source, as_source(key), n=2)
    assert sorted((r["reasons"][0]["field"], r["reasons"][0]["code"]) for r in items) == [("", "not_json"), ("type", "missing")]


async def test_an_unregistered_sources_rejections_are_for_staff_only_even_once_it_registers(registry, producer):
    source = new_source()
    await produce(registry, producer, json.dumps(submission(source, "BM-7")).encode(), {}, key="BM-7")
    [rejection] = await rejections(registry, source, CURATOR)
    assert rejection["reasons"][0]["code"] == "unregistered_source"
    key = await register_source(registry, source)  # whoever registers under that name later
    r = await registry.http["registry"].get(f"/v1/sources/{source}/rejections", headers=as_source(key))
    assert r.status_code == 200 and r.json()["items"] == []


async def test_over_rest_binary_and_structured_mode_are_taken_alike_and_refused_alike(registry):
    source = new_source()
    key = await register_source(registry, source)
    http = registry.http["registry"]
    binary = http_binding.to_binary(sdk_event(source, "BM-8"), JSONFormat())
    assert "ce-specversion" in binary.headers and binary.headers["content-type"] == "application/json"
    r = await http.post("/v1/submissions", content=binary.body, headers={**binary.headers, **as_source(key)})
    assert r.status_code == 202, r.text
    structured = http_binding.to_structured(sdk_event(source, "BM-9"), JSONFormat())
    r = await http.post("/v1/submissions", content=structured.body, headers={**structured.headers, **as_source(key)})
    assert r.status_code == 202, r.text
    assert (await stored(registry, source, "BM-8", key))["content"]["title"]["sv"] == "Demokratisamtal BM-8"
    assert (await stored(registry, source, "BM-9", key))["content"]["title"]["sv"] == "Demokratisamtal BM-9"

    no_id = {k: v for k, v in http_binding.to_binary(sdk_event(source, "BM-10"), JSONFormat()).headers.items() if k != "ce-id"}
    r = await http.post("/v1/submissions", content=binary.body, headers={**no_id, **as_source(key)})
    assert r.status_code == 422 and [(d["field"], d["code"]) for d in r.json()["detail"]] == [("id", "missing")]


def unattributed_metric(text: str, group: str, code: str) -> float:
    m = re.search(rf'^om_dead_letters_unattributed_total{{code="{code}",consumer="{group}"}} (\S+)$', text, re.M)
    return float(m.group(1)) if m else 0.0


async def test_a_message_without_a_readable_source_is_counted_and_listed_for_staff(registry, producer):
    http = registry.http["registry"]
    group = registry.settings["registry"].group("submissions")
    before = (await http.get("/v1/rejections/unattributed", headers=CURATOR)).json()
    metric_before = unattributed_metric((await http.get("/metrics")).text, group, "not_json")
    marker = f"BM-{uuid.uuid4().hex[:8]}"
    await produce(registry, producer, b"\xff\xfe garbage " + marker.encode(), {}, key=marker)

    async def listed():
        r = await http.get("/v1/rejections/unattributed", headers=CURATOR)
        assert r.status_code == 200, r.text
        body = r.json()
        return body if body["count"] > before["count"] and any(i["original"]["key"] == marker for i in body["items"]) else None

    body = await eventually(listed, what="the unattributed rejection listed")
    [item] = [i for i in body["items"] if i["original"]["key"] == marker]
    assert item["reasons"][0]["code"] == "not_json" and item["original"]["topic"].endswith("registry.submissions.v1")
    assert "value_text" not in item["original"] and "value_base64" not in item["original"], "the bytes stay on the dead-letter topic"
    assert unattributed_metric((await http.get("/metrics")).text, group, "not_json") == metric_before + 1
    someone = await register_source(registry, new_source())
    assert (await http.get("/v1/rejections/unattributed", headers=as_source(someone))).status_code == 403
