"""Contracts for integrators, generated from the event models: a JSON Schema per event type and
an AsyncAPI 3.0 document per service, listing its channels and their messages.

Generic: a service's contract is a list of ``Channel``s (a topic, whether the service sends or
receives on it, and its message models); add yours to ``CONTRACTS``. The committed files under
``contracts/<service>/`` are what integrators read; a test regenerates them in memory and fails
when they drift from the models. Regenerate with:

    .venv/bin/python -m shared.contracts            # writes contracts/<service>/…
"""

import argparse
import copy
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic.json_schema import models_json_schema

from shared.envelope import CONTENT_TYPE, Envelope, EventData
from shared.events.dead_letters import MessageFailedV1, MessageRejectedV1
from shared.events.initiatives import CONTACT_EVENTS, INITIATIVE_EVENTS, InitiativeSubmittedV1, InitiativeWithdrawnV1
from shared.events.notifications import (
    DeliveryCountedV1,
    EmailRequestedV1,
    NotificationDeadLetteredV1,
    NotificationDeliveredV1,
    NotificationFailedV1,
    SmsRequestedV1,
)
from shared.events.reporting import StatisticsPublishedV1
from shared.events.scheduling import REGISTRATION_EVENTS, SESSION_EVENTS, EditionClosedV1, EditionPlannedV1, EditionProgrammePublishedV1, EditionUpdatedV1, RegistrationContactRecordedV1
from shared.events.vocabularies import VOCABULARY_EVENTS
from shared.topics import (
    NOTIFICATIONS_DEADLETTER,
    NOTIFICATIONS_DELIVERIES,
    NOTIFICATIONS_EMAIL,
    NOTIFICATIONS_RECEIPTS,
    NOTIFICATIONS_SMS,
    REGISTRY_CONTACTS,
    REGISTRY_DEADLETTER,
    REGISTRY_INITIATIVES,
    REGISTRY_REJECTED,
    REGISTRY_SUBMISSIONS,
    REGISTRY_VOCABULARIES,
    REPORTING_DEADLETTER,
    REPORTING_STATISTICS,
    SCHEDULING_CONTACTS,
    SCHEDULING_DEADLETTER,
    SCHEDULING_REGISTRATIONS,
    SCHEDULING_SESSIONS,
    Topic,
)

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS_DIR = ROOT / "contracts"
SCHEMA_BASE = "https://oppna.malmo.se/contracts"  # the $id namespace; files are also served by each service


@dataclass(frozen=True)
class Channel:
    topic: Topic
    action: Literal["send", "receive"]  # from the service's point of view
    messages: tuple[type[EventData], ...]
    key: str = "the aggregate's id"  # what the Kafka key holds, for integrators
    # Written by systems outside the platform, which may also send binary mode (a second message
    # per type: attributes in ce_* headers, the data alone as the value).
    binary: bool = False


@dataclass(frozen=True)
class ServiceContract:
    service: str
    title: str
    description: str
    channels: tuple[Channel, ...]

    def message_types(self) -> list[type[EventData]]:
        return list(dict.fromkeys(m for c in self.channels for m in c.messages))


def _envelope_schema(event_type: str, data_ref: dict) -> dict:
    """The CloudEvent around one type: the envelope's rules, the type fixed, ``data`` referenced."""
    schema = copy.deepcopy(Envelope.model_json_schema())
    schema["properties"]["type"] = {"const": event_type, "type": "string", "title": "Type"}
    schema["properties"]["data"] = data_ref
    schema["title"] = event_type
    return schema


def event_schema(model: type[EventData], service: str) -> dict:
    """A standalone JSON Schema (draft 2020-12) of a whole CloudEvent of ``model``'s type."""
    data = model.model_json_schema(ref_template="#/$defs/{model}")
    defs = data.pop("$defs", {})
    defs[model.__name__] = data
    schema = _envelope_schema(model.event_type, {"$ref": f"#/$defs/{model.__name__}"})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}/{service}/schemas/{model.event_type}.json",
        **schema,
        "description": (model.__doc__ or "").strip(),
        "$defs": dict(sorted(defs.items())),
    }


def _channel_id(topic: Topic) -> str:
    return topic.name.replace(".", "_")


def _message_name(model: type[EventData]) -> str:
    return model.__name__


# The AsyncAPI Kafka bindings (https://github.com/asyncapi/bindings/tree/master/kafka).
KAFKA_BINDING_VERSION = "0.5.0"
STRUCTURED_HEADERS = {
    "type": "object",
    "properties": {"content-type": {"type": "string", "const": CONTENT_TYPE, "description": "Structured mode: the whole CloudEvent is the value."}},
}


def _key_binding(c: Channel) -> dict:
    """The Kafka key, machine-readable: a string holding what ``c.key`` says."""
    return {"kafka": {"key": {"type": "string", "description": c.key}, "bindingVersion": KAFKA_BINDING_VERSION}}


def _header_schema(attribute: dict) -> dict:
    """An envelope attribute's schema as a Kafka header's: text, its non-null rules kept."""
    branch = next((b for b in attribute.get("anyOf", [attribute]) if b.get("type") != "null"), attribute)
    kept = {k: v for k, v in branch.items() if k in ("const", "pattern", "minLength", "maxLength", "format")}
    return {"type": "string", **kept, **({"description": attribute["description"]} if "description" in attribute else {})}


def binary_headers(model: type[EventData]) -> dict:
    """The Kafka headers of a binary-mode CloudEvent of ``model``'s type (the CloudEvents Kafka
    protocol binding): ``ce_<attribute>``, and ``content-type`` for ``datacontenttype``."""
    envelope = _envelope_schema(model.event_type, {})
    attributes = {k: v for k, v in envelope["properties"].items() if k not in ("data", "datacontenttype")}
    properties = {f"ce_{name}": _header_schema(schema) for name, schema in attributes.items()}
    properties["content-type"] = {"type": "string", "const": "application/json", "description": "datacontenttype; application/json when left out."}
    return {
        "type": "object",
        "description": "Binary mode: the attributes as headers, the data alone as the value. More extension attributes as ce_<name>.",
        "properties": properties,
        "required": [f"ce_{name}" for name in envelope["required"] if name in attributes],
    }


def _messages(c: Channel) -> dict[str, dict]:
    """The channel's messages by id: one per type, and its binary-mode twin where outsiders write."""
    out = {}
    for m in c.messages:
        summary = (m.__doc__ or m.__name__).strip().splitlines()[0]
        out[_message_name(m)] = {
            "name": m.event_type,
            "title": m.__name__,
            "summary": summary,
            "contentType": CONTENT_TYPE,
            "headers": STRUCTURED_HEADERS,
            "payload": _envelope_schema(m.event_type, {"$ref": f"#/components/schemas/{m.__name__}"}),
            "bindings": _key_binding(c),
        }
        if c.binary:
            out[f"{_message_name(m)}Binary"] = {
                "name": m.event_type,
                "title": f"{m.__name__} (binary mode)",
                "summary": summary,
                "contentType": "application/json",
                "headers": binary_headers(m),
                "payload": {"$ref": f"#/components/schemas/{m.__name__}"},
                "bindings": _key_binding(c),
            }
    return out


def asyncapi(contract: ServiceContract, version: str = "1.0.0") -> dict:
    """An AsyncAPI 3.0 document of the service's channels, messages and operations.

    A message is defined per channel (``<channel>.<message>`` in components): its Kafka key
    binding is the channel's."""
    models = contract.message_types()
    _, top = models_json_schema([(m, "validation") for m in models], ref_template="#/components/schemas/{model}")
    schemas = dict(sorted(top.get("$defs", {}).items()))
    messages: dict[str, dict] = {}
    channels, operations = {}, {}
    for c in contract.channels:
        cid = _channel_id(c.topic)
        mine = _messages(c)
        messages.update({f"{cid}.{name}": message for name, message in mine.items()})
        channels[cid] = {
            "address": c.topic.name,
            "title": c.topic.name,
            "description": f"{c.topic.description} Kafka key: {c.key}.",
            "messages": {name: {"$ref": f"#/components/messages/{cid}.{name}"} for name in mine},
            "bindings": {"kafka": {"topic": c.topic.name, "bindingVersion": KAFKA_BINDING_VERSION}},
        }
        operations[f"{c.action}_{cid}"] = {
            "action": c.action,
            "channel": {"$ref": f"#/channels/{cid}"},
            "summary": f"{contract.service} {'publishes on' if c.action == 'send' else 'consumes'} {c.topic.name}",
            "messages": [{"$ref": f"#/channels/{cid}/messages/{name}"} for name in mine],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": contract.title, "version": version, "description": contract.description},
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "production": {"host": "kafka-bootstrap:9093", "protocol": "kafka-secure", "description": "The city's Kafka cluster (address given with your credentials): SASL/SCRAM over TLS, a principal per publisher."},
            "local": {"host": "127.0.0.1:19092", "protocol": "kafka", "description": "The local broker of `make run`."},
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": dict(sorted(messages.items())), "schemas": schemas},
    }


def render(contract: ServiceContract) -> dict[str, str]:
    """Every file of the service's contract: relative path → text."""
    files = {"asyncapi.json": _dump(asyncapi(contract))}
    for m in contract.message_types():
        files[f"schemas/{m.event_type}.json"] = _dump(event_schema(m, contract.service))
    return files


def _dump(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


DEAD_LETTERS = (MessageRejectedV1, MessageFailedV1)

REGISTRY = ServiceContract(
    service="registry",
    title="Öppna Malmö — registry",
    description=(
        "Publishers send initiatives on registry.submissions.v1 (CloudEvents 1.0, structured JSON or binary mode); "
        "the registry tells every change, with the full current state but never the organiser's contact, on "
        "registry.initiatives.v1; the contact only on the compacted, restricted registry.contacts.v1 (for notifications); and "
        "refused messages, verbatim with reasons, on registry.submissions.rejected.v1. "
        "Utgivare skickar initiativ; registret berättar varje ändring med hela tillståndet."
    ),
    channels=(
        Channel(REGISTRY_SUBMISSIONS, "receive", (InitiativeSubmittedV1, InitiativeWithdrawnV1), key="the publisher's external_id (keeps one initiative's revisions in order)", binary=True),
        Channel(REGISTRY_INITIATIVES, "send", INITIATIVE_EVENTS, key="the registry's initiative_id"),
        Channel(REGISTRY_CONTACTS, "send", CONTACT_EVENTS, key="the registry's initiative_id; contact_erased is the newest value after an erasure"),
        # Editions' submission windows, to mark late submissions (sessions on the same topic are skipped).
        Channel(SCHEDULING_SESSIONS, "receive", (EditionPlannedV1, EditionUpdatedV1, EditionProgrammePublishedV1, EditionClosedV1), key="the edition's or session's id"),
        Channel(REGISTRY_REJECTED, "send", (MessageRejectedV1, MessageFailedV1), key="the refused message's CloudEvents source ('unknown' when unreadable)"),
        Channel(REGISTRY_VOCABULARIES, "send", VOCABULARY_EVENTS, key="the vocabulary's name (compacted: the newest of a name is its whole state)"),
        Channel(REGISTRY_DEADLETTER, "send", DEAD_LETTERS, key="the refused message's CloudEvents source"),
    ),
)

INITIATIVES_IN = Channel(REGISTRY_INITIATIVES, "receive", INITIATIVE_EVENTS, key="the registry's initiative_id")
VOCABULARIES_IN = Channel(REGISTRY_VOCABULARIES, "receive", VOCABULARY_EVENTS, key="the vocabulary's name")
SESSIONS_IN = Channel(SCHEDULING_SESSIONS, "receive", SESSION_EVENTS, key="the edition's or session's id")
REGISTRATIONS_IN = Channel(SCHEDULING_REGISTRATIONS, "receive", REGISTRATION_EVENTS, key="the session's id")

SCHEDULING = ServiceContract(
    service="scheduling",
    title="Öppna Malmö — scheduling",
    description=(
        "The forum period's programme: editions and sessions on scheduling.sessions.v1, registrations "
        "without personal data on scheduling.registrations.v1, and registrants' contacts only on the "
        "compacted, restricted scheduling.contacts.v1 (a null value erases a contact). "
        "Forumperiodens program, anmälningar utan personuppgifter, och kontaktuppgifter bara på det skyddade ämnet."
    ),
    channels=(
        INITIATIVES_IN,
        VOCABULARIES_IN,
        Channel(SCHEDULING_SESSIONS, "send", SESSION_EVENTS, key="the edition's or session's id"),
        Channel(SCHEDULING_REGISTRATIONS, "send", REGISTRATION_EVENTS, key="the session's id"),
        Channel(SCHEDULING_CONTACTS, "send", (RegistrationContactRecordedV1,), key="the registration's id; a null value (tombstone) erases it"),
        Channel(SCHEDULING_DEADLETTER, "send", DEAD_LETTERS, key="the refused message's CloudEvents source"),
    ),
)

NOTIFICATIONS = ServiceContract(
    service="notifications",
    title="Öppna Malmö — notifications",
    description=(
        "Fully rendered messages for gateways on notifications.email.v1 and notifications.sms.v1 "
        "(deduplicate on message_id; respect not_before and expires_at), receipts back on "
        "notifications.receipts.v1, and counts without recipients on notifications.deliveries.v1. "
        "Färdiga meddelanden för e-post- och sms-gateways, kvitton tillbaka, och antal utan mottagare."
    ),
    channels=(
        INITIATIVES_IN,
        VOCABULARIES_IN,
        SESSIONS_IN,
        REGISTRATIONS_IN,
        Channel(SCHEDULING_CONTACTS, "receive", (RegistrationContactRecordedV1,), key="the registration's id"),
        Channel(REGISTRY_CONTACTS, "receive", CONTACT_EVENTS, key="the registry's initiative_id"),
        Channel(NOTIFICATIONS_EMAIL, "send", (EmailRequestedV1,), key="the message_id"),
        Channel(NOTIFICATIONS_SMS, "send", (SmsRequestedV1,), key="the message_id"),
        Channel(NOTIFICATIONS_RECEIPTS, "receive", (NotificationDeliveredV1, NotificationFailedV1), key="the message_id", binary=True),
        Channel(NOTIFICATIONS_DELIVERIES, "send", (DeliveryCountedV1,), key="the message_id"),
        Channel(NOTIFICATIONS_DEADLETTER, "send", (*DEAD_LETTERS, NotificationDeadLetteredV1), key="the message_id or the refused message's source"),
    ),
)

REPORTING = ServiceContract(
    service="reporting",
    title="Öppna Malmö — reporting",
    description=(
        "Follows every topic without personal data and publishes suppressed statistics snapshots on "
        "reporting.statistics.v1 when an edition closes and on a schedule. "
        "Följer alla ämnen utan personuppgifter och publicerar statistik med skydd för små tal."
    ),
    channels=(
        INITIATIVES_IN,
        VOCABULARIES_IN,
        SESSIONS_IN,
        REGISTRATIONS_IN,
        Channel(NOTIFICATIONS_DELIVERIES, "receive", (DeliveryCountedV1,), key="the message_id"),
        Channel(REPORTING_STATISTICS, "send", (StatisticsPublishedV1,), key="the edition's id"),
        Channel(REPORTING_DEADLETTER, "send", DEAD_LETTERS, key="the refused message's CloudEvents source"),
    ),
)


def platform_contract(services: tuple[ServiceContract, ...]) -> ServiceContract:
    """One document with every channel and message of the platform: the integration guide.

    Each topic appears once, as its owner sends it; a topic the platform only receives (the
    publishers' submissions, the gateways' receipts) appears as received.
    """
    by_topic: dict[str, Channel] = {}
    for contract in services:
        for c in contract.channels:
            if c.action == "send" or c.topic.name not in by_topic:
                by_topic[c.topic.name] = c
    sends = {c.topic.name for contract in services for c in contract.channels if c.action == "send"}
    channels = tuple(
        Channel(c.topic, "send" if name in sends else "receive", c.messages, c.key, c.binary) for name, c in sorted(by_topic.items())
    )
    return ServiceContract(
        service="platform",
        title="Öppna Malmö — every channel and message",
        description=(
            "Every Kafka topic of the Öppna Malmö platform with its CloudEvents types. Topics named "
            "*.contacts.*, notifications.email.v1 and notifications.sms.v1 carry personal data and are "
            "restricted. Alla Kafka-ämnen och händelsetyper i plattformen."
        ),
        channels=channels,
    )


# Every service's contract, by service name, and the whole platform's.
SERVICES = (REGISTRY, SCHEDULING, NOTIFICATIONS, REPORTING)
CONTRACTS: dict[str, ServiceContract] = {c.service: c for c in (*SERVICES, platform_contract(SERVICES))}


def write(contract: ServiceContract, root: Path = CONTRACTS_DIR) -> list[Path]:
    out = []
    for rel, text in render(contract).items():
        path = root / contract.service / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("services", nargs="*", help=f"default: all ({', '.join(CONTRACTS)})")
    args = parser.parse_args(argv)
    for name in args.services or list(CONTRACTS):
        if name not in CONTRACTS:
            print(f"no contract for {name!r}; known: {', '.join(CONTRACTS)}", file=sys.stderr)
            return 2
        for path in write(CONTRACTS[name]):
            print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
