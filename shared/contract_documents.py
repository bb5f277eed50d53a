"""How a contract becomes the documents integrators read, generated from the event models: a
JSON Schema per event type and an AsyncAPI 3.0 document per service, listing its channels and
their messages.

Generic: a service's contract is a list of ``Channel``s (a topic, whether the service sends or
receives on it, and its message models); the platform's contracts are in shared/contracts.py.
"""

import copy
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from shared.envelope import CONTENT_TYPE, Envelope, EventData
from shared.topics import Topic

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


class _NullableAsType(GenerateJsonSchema):
    """An optional value of one JSON type is ``{"type": [<type>, "null"], …}``, the same set of
    values as pydantic's ``anyOf`` of it and null: generators (Modelina) make it a nullable field of
    that type, where the ``anyOf`` made an untyped union model and a warning."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        inner = self.generate_inner(schema["schema"])
        if isinstance(inner.get("type"), str) and inner["type"] != "null" and "$ref" not in inner:
            return {**inner, "type": [inner["type"], "null"]}
        return inner if inner == {"type": "null"} else self.get_union_of_schemas([inner, {"type": "null"}])


def _envelope_schema(event_type: str, data_ref: dict) -> dict:
    """The CloudEvent around one type: the envelope's rules, the type fixed, ``data`` referenced."""
    schema = copy.deepcopy(Envelope.model_json_schema(schema_generator=_NullableAsType))
    schema["properties"]["type"] = {"const": event_type, "type": "string", "title": "Type"}
    schema["properties"]["data"] = data_ref
    schema["title"] = event_type
    return schema


def event_schema(model: type[EventData], service: str) -> dict:
    """A standalone JSON Schema (draft 2020-12) of a whole CloudEvent of ``model``'s type."""
    data = model.model_json_schema(ref_template="#/$defs/{model}", schema_generator=_NullableAsType)
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


# What a channel address's ``{parameter}`` stands for (a topic per publisher: shared/topics.py).
ADDRESS_PARAMETERS = {"publisher": "The user name of the publisher's Kafka principal: its source's kafka_principal is User:<publisher>."}


def _channel_id(topic: Topic) -> str:
    return topic.name.replace(".", "_").replace("{", "").replace("}", "")


def _parameters(address: str) -> dict:
    """AsyncAPI's ``parameters`` of an address such as ``registry.inbox.{publisher}.v1``."""
    return {name: {"description": ADDRESS_PARAMETERS[name]} for name in re.findall(r"\{(\w+)\}", address)}


def _message_name(model: type[EventData]) -> str:
    return model.__name__


# The AsyncAPI Kafka bindings (https://github.com/asyncapi/bindings/tree/master/kafka).
KAFKA_BINDING_VERSION = "0.5.0"
STRUCTURED_HEADERS = {
    "type": "object",
    "properties": {"content-type": {"type": "string", "const": CONTENT_TYPE, "description": "Structured mode: the whole CloudEvent is the value."}},
}


def topic_configuration(topic: Topic) -> dict:
    """The topic's retention as the Kafka channel binding states it: ``cleanup.policy`` (a list),
    ``retention.ms`` where time deletes (-1: never), ``delete.retention.ms`` where tombstones stay longer than a day."""
    configs = topic.configs
    out: dict[str, Any] = {"cleanup.policy": configs["cleanup.policy"].split(",")}
    for key in ("retention.ms", "delete.retention.ms"):
        if key in configs:
            out[key] = int(configs[key])
    return out


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
    _, top = models_json_schema([(m, "validation") for m in models], ref_template="#/components/schemas/{model}",
                                schema_generator=_NullableAsType)
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
            "bindings": {"kafka": {"topic": c.topic.name, "topicConfiguration": topic_configuration(c.topic), "bindingVersion": KAFKA_BINDING_VERSION}},
            **({"parameters": parameters} if (parameters := _parameters(c.topic.name)) else {}),
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
