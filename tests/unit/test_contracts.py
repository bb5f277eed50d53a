"""Every service's committed contract (AsyncAPI 3.0 and JSON Schemas) is what the models generate,
and the platform's document lists every topic of the catalogue."""

from pathlib import Path

import pytest

from shared import contract_documents, contracts
from shared.topics import ALL_TOPICS, REGISTRY_INBOX

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(contracts.CONTRACTS))
def test_committed_contract_matches_the_models(name):
    expected = contract_documents.render(contracts.CONTRACTS[name])
    folder = ROOT / "contracts" / name
    committed = {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*.json")}
    drifted = sorted(set(expected) ^ set(committed) | {k for k in expected if committed.get(k) != expected[k]})
    assert not drifted, f"contracts/{name} drifted in {drifted}: run `.venv/bin/python -m shared.contracts` and commit"


def test_the_platform_document_lists_every_topic_and_every_message_has_a_schema():
    doc = contract_documents.asyncapi(contracts.CONTRACTS["platform"])
    assert doc["asyncapi"] == "3.0.0"
    assert {c["address"] for c in doc["channels"].values()} == {t.name for t in ALL_TOPICS} | {REGISTRY_INBOX.name}
    for channel in doc["channels"].values():
        for ref in channel["messages"].values():
            name = ref["$ref"].rsplit("/", 1)[-1]
            assert name in doc["components"]["messages"]
    # A received-only topic is one outsiders publish on: the publishers' inboxes, the city's own
    # submissions and the receipts.
    received = {op["channel"]["$ref"].rsplit("/", 1)[-1] for op in doc["operations"].values() if op["action"] == "receive"}
    assert received == {"registry_inbox_publisher_v1", "registry_submissions_v1", "notifications_receipts_v1"}
    assert doc["channels"]["registry_inbox_publisher_v1"]["parameters"]["publisher"]["description"]


def _resolve(doc: dict, ref: dict) -> dict:
    node = doc
    for part in ref["$ref"].removeprefix("#/").split("/"):
        node = node[part]
    return node


@pytest.mark.parametrize("name", sorted(contracts.CONTRACTS))
def test_every_message_states_its_kafka_key_in_a_binding(name):
    doc = contract_documents.asyncapi(contracts.CONTRACTS[name])
    for cid, channel in doc["channels"].items():
        assert channel["bindings"]["kafka"]["topic"] == channel["address"]
        for ref in channel["messages"].values():
            kafka = _resolve(doc, ref)["bindings"]["kafka"]
            assert kafka["bindingVersion"] == "0.5.0"
            assert kafka["key"]["type"] == "string" and kafka["key"]["description"], f"{cid}: the key, machine-readable"


def test_submissions_may_come_in_binary_mode_with_the_sdks_headers_and_the_data_as_value():
    from cloudevents.core.bindings import kafka as kafka_binding
    from cloudevents.core.formats.json import JSONFormat
    from cloudevents.core.v1.event import CloudEvent

    from tests.platform import submission

    doc = contract_documents.asyncapi(contracts.REGISTRY)
    channel = doc["channels"]["registry_submissions_v1"]
    structured = _resolve(doc, channel["messages"]["InitiativeSubmittedV1"])
    binary = _resolve(doc, channel["messages"]["InitiativeSubmittedV1Binary"])
    assert structured["headers"]["properties"]["content-type"]["const"] == "application/cloudevents+json"
    assert binary["payload"] == {"$ref": "#/components/schemas/InitiativeSubmittedV1"}, "the value is the data alone"
    assert binary["bindings"]["kafka"]["key"]["description"].startswith("the publisher's external_id")
    [receive] = [op for op in doc["operations"].values() if op["channel"]["$ref"].endswith("/registry_submissions_v1")]
    assert {m["$ref"].rsplit("/", 1)[-1] for m in receive["messages"]} >= {"InitiativeSubmittedV1", "InitiativeSubmittedV1Binary"}

    event = submission("urn:malmo:source:kf", "KF-1")
    data, _ = event.pop("data"), event.pop("time")  # the SDK sets time itself
    sent = kafka_binding.to_binary(CloudEvent(attributes={**event, "traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01"}, data=data), JSONFormat())
    headers = binary["headers"]
    assert set(headers["required"]) <= set(sent.headers) <= set(headers["properties"])
    assert headers["properties"]["ce_specversion"]["const"] == "1.0" and "ce_time" not in headers["required"]
