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
from shared.events.initiatives import INITIATIVE_EVENTS, InitiativeSubmittedV1, InitiativeWithdrawnV1
from shared.topics import REGISTRY_INITIATIVES, REGISTRY_REJECTED, REGISTRY_SUBMISSIONS, Topic

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS_DIR = ROOT / "contracts"
SCHEMA_BASE = "https://oppna.malmo.se/contracts"  # the $id namespace; files are also served by each service


@dataclass(frozen=True)
class Channel:
    topic: Topic
    action: Literal["send", "receive"]  # from the service's point of view
    messages: tuple[type[EventData], ...]
    key: str = "the aggregate's id"  # what the Kafka key holds, for integrators


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


def asyncapi(contract: ServiceContract, version: str = "1.0.0") -> dict:
    """An AsyncAPI 3.0 document of the service's channels, messages and operations."""
    models = contract.message_types()
    _, top = models_json_schema([(m, "validation") for m in models], ref_template="#/components/schemas/{model}")
    schemas = dict(sorted(top.get("$defs", {}).items()))
    messages = {
        _message_name(m): {
            "name": m.event_type,
            "title": m.__name__,
            "summary": (m.__doc__ or m.__name__).strip().splitlines()[0],
            "contentType": CONTENT_TYPE,
            "payload": _envelope_schema(m.event_type, {"$ref": f"#/components/schemas/{m.__name__}"}),
        }
        for m in models
    }
    channels, operations = {}, {}
    for c in contract.channels:
        cid = _channel_id(c.topic)
        channels[cid] = {
            "address": c.topic.name,
            "title": c.topic.name,
            "description": f"{c.topic.description} Kafka key: {c.key}.",
            "messages": {_message_name(m): {"$ref": f"#/components/messages/{_message_name(m)}"} for m in c.messages},
        }
        operations[f"{c.action}_{cid}"] = {
            "action": c.action,
            "channel": {"$ref": f"#/channels/{cid}"},
            "summary": f"{contract.service} {'publishes on' if c.action == 'send' else 'consumes'} {c.topic.name}",
            "messages": [{"$ref": f"#/channels/{cid}/messages/{_message_name(m)}"} for m in c.messages],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": contract.title, "version": version, "description": contract.description},
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "production": {"host": "kafka.oppna.malmo.se:9093", "protocol": "kafka-secure", "description": "SASL/SCRAM over TLS; a principal per publisher."},
            "local": {"host": "127.0.0.1:19092", "protocol": "kafka", "description": "The local broker of `make run`."},
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render(contract: ServiceContract) -> dict[str, str]:
    """Every file of the service's contract: relative path → text."""
    files = {"asyncapi.json": _dump(asyncapi(contract))}
    for m in contract.message_types():
        files[f"schemas/{m.event_type}.json"] = _dump(event_schema(m, contract.service))
    return files


def _dump(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


REGISTRY = ServiceContract(
    service="registry",
    title="Öppna Malmö — registry",
    description=(
        "Publishers send initiatives on registry.submissions.v1 (CloudEvents 1.0, structured JSON mode); "
        "the registry tells every change, with the full current state, on registry.initiatives.v1, and "
        "refused messages, verbatim with reasons, on registry.submissions.rejected.v1. "
        "Utgivare skickar initiativ; registret berättar varje ändring med hela tillståndet."
    ),
    channels=(
        Channel(REGISTRY_SUBMISSIONS, "receive", (InitiativeSubmittedV1, InitiativeWithdrawnV1), key="the publisher's external_id (keeps one initiative's revisions in order)"),
        Channel(REGISTRY_INITIATIVES, "send", INITIATIVE_EVENTS, key="the registry's initiative_id"),
        Channel(REGISTRY_REJECTED, "send", (MessageRejectedV1, MessageFailedV1), key="the refused message's CloudEvents source ('unknown' when unreadable)"),
    ),
)

# Every service's contract, by service name; other services add theirs here.
CONTRACTS: dict[str, ServiceContract] = {"registry": REGISTRY}


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
