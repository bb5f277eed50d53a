"""The committed contracts are what the models generate; outbound models let unknown fields pass."""

from pathlib import Path

import pytest

from shared import contract_documents, contracts
from shared.events.initiatives import INITIATIVE_EVENTS, InitiativeState, InitiativeSubmittedV1
from shared.events.reports import ReportStateV1, ReportSubmittedV1
from shared.events.scheduling import SessionPublishedV1
from tests.platform import submission

ROOT = Path(__file__).resolve().parents[2]


def test_the_asyncapi_document_lists_every_channel_and_message_of_the_registry():
    doc = contract_documents.asyncapi(contracts.REGISTRY)
    assert doc["asyncapi"] == "3.0.0"
    assert {c["address"] for c in doc["channels"].values()} == {
        "registry.inbox.{publisher}.v1", "registry.submissions.v1", "registry.initiatives.v1", "registry.contacts.v1", "registry.vocabularies.v1",
        "registry.sources.v1", "registry.submissions.rejected.v1", "registry.deadletter.v1", "scheduling.sessions.v1",  # editions' windows, sessions' starts
        "registry.reports.v1", "registry.grants.v1",
    }
    names = {m["name"] for m in doc["components"]["messages"].values()}
    assert {m.event_type for m in INITIATIVE_EVENTS} | {InitiativeSubmittedV1.event_type} <= names
    # Outcome reports come in beside initiatives; they wait for the initiative's first session.
    assert {ReportSubmittedV1.event_type, ReportStateV1.event_type, SessionPublishedV1.event_type} <= names
    for op in doc["operations"].values():  # every reference resolves inside the document
        channel = op["channel"]["$ref"].split("/")[-1]
        assert channel in doc["channels"]
        for m in op["messages"]:
            assert m["$ref"].split("/")[-1] in doc["channels"][channel]["messages"]
    refs = {v.split("/")[-1] for v in _refs(doc) if v.startswith("#/components/schemas/")}
    assert refs <= set(doc["components"]["schemas"])


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_an_event_schema_is_standalone_and_fixes_the_type():
    schema = contract_documents.event_schema(InitiativeSubmittedV1, "registry")
    assert schema["properties"]["type"]["const"] == InitiativeSubmittedV1.event_type
    assert schema["properties"]["data"] == {"$ref": "#/$defs/InitiativeSubmittedV1"}
    assert {r.split("/")[-1] for r in _refs(schema)} <= set(schema["$defs"]), "every $ref resolves in the file"
    data = schema["$defs"]["InitiativeSubmittedV1"]
    assert data["additionalProperties"] is False and {"external_id", "revision", "title", "themes"} <= set(data["required"])


def test_a_consumer_ignores_fields_a_newer_registry_adds_but_a_publisher_may_not_add_any():
    data = submission("urn:malmo:source:x", "X-1")["data"]
    content = {k: v for k, v in data.items() if k not in ("external_id", "revision")}
    newer = {**content, "future_field": 1, "organizer": {**content["organizer"], "org_number": "212000-1124"}}
    state = InitiativeState.model_validate({
        "initiative_id": "i", "source": "s", "external_id": "X-1", "revision": 1, "version": 1, "status": "submitted",
        "stamped": False, "content": newer, "received_at": "2025-09-01T10:00:00Z", "updated_at": "2025-09-01T10:00:00Z",
        "something_new": True,
    })
    assert state.content.organizer.name == content["organizer"]["name"] and state.review is None
    with pytest.raises(ValueError):
        InitiativeSubmittedV1.model_validate({**data, "future_field": 1})


def test_an_organisers_contact_event_without_a_contact_is_taken_by_its_reader():
    """A publisher may give no contact: the event says so, leaves as every event does (nulls
    dropped), and notifications' reader takes it rather than dead-lettering it."""
    from datetime import UTC, datetime

    from services.registry.domain.events import emit_contact
    from shared.envelope import Envelope, parse_data
    from shared.events.initiatives import InitiativeContactRecordedV1

    state = {"initiative_id": "i1", "content": {"title": {"sv": "Utan kontakt"}}}
    pending = emit_contact(state, 1, "urn:malmo:oppna:registry", datetime(2026, 9, 1, tzinfo=UTC))
    data = parse_data(Envelope.model_validate(pending.event), InitiativeContactRecordedV1)
    assert data.initiative_id == "i1" and data.contact is None
