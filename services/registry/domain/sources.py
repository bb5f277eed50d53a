"""Publishers (sources): who may submit initiatives, and with which credentials.

A source is its CloudEvents ``source`` URI, a kind, names in Swedish and English, the Kafka
principal that production ACLs bind to it, and API keys for REST. Keys are shown once and
stored as SHA-256 only (``shared.auth``); rotating adds a key (the old one works until it is
revoked, so a publisher can switch without downtime), revoking ends one key, deactivating the
source ends all of them and makes its Kafka messages rejected. Each source is one aggregate
(``_id`` = its URI). Pure: the decisions here, the use case in ``usecases.sources``; a decision
that cannot be taken writes nothing and names why as its outcome (``NoChange(Refused(...))``).

Every change is told with the source's whole state on the compacted ``registry.sources.v1``
(``told``, in the same write as the change: the aggregate's outbox), its keys as SHA-256 only,
so scheduling takes a publisher's key as the registry does (docs/decisions/0011).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.events.common import NOT_BLANK, SPACES
from shared.fields import Flag
from shared.refusals import Refused
from services.registry.domain import inbox
from services.registry.domain.states import KeyEntry, SourceState
from shared.decisions import Decision, NoChange, Pending
from shared.envelope import Reason, new_event
from shared.events.initiatives import OrganizerKind
from shared.events.sources import SourceChangedV1
from shared.topics import REGISTRY_SOURCES

MAX_ACTIVE_KEYS = 5
EVENT_NAMESPACE = uuid.UUID("0b9e3c1f-5a7d-4e2b-8c61-7d4f2a9e1b35")

# No white space after the scheme, by every regex dialect's count (Python's, JavaScript's, pydantic's).
SourceUri = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=rf"^[a-z][a-z0-9+.-]*:[^{SPACES}]+$")]
# The principal's user name names the publisher's inbox (domain/inbox.py), so it is one an inbox can have.
KafkaPrincipal = Annotated[str, StringConstraints(min_length=6, max_length=200, pattern=rf"^User:{inbox.NAME}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NOT_BLANK)]


class SourceNames(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    sv: Name = Field(examples=["Kulturförvaltningen"])
    en: Name = Field(examples=["The Culture Department"])


class SourceIn(BaseModel):
    """What a curator registers."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    source: SourceUri = Field(description="The CloudEvents source URI the publisher sends.", examples=["urn:malmo:source:kulturforvaltningen"])
    kind: OrganizerKind
    name: SourceNames
    kafka_principal: KafkaPrincipal | None = Field(
        default=None,
        description="The SASL principal whose inbox registry.inbox.<name>.v1 proves this source (User:<name>: lower-case letters, digits, '-').",
        examples=["User:kulturforvaltningen"],
    )


class SourceChange(BaseModel):
    """What a curator may change later; absent fields stay."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: OrganizerKind | None = None
    name: SourceNames | None = None
    kafka_principal: KafkaPrincipal | None = None
    active: Flag | None = Field(default=None, description="False: every key stops working and Kafka messages are rejected.")


@dataclass(frozen=True)
class NewKey:
    """A new API key as the decisions see it: its id and its SHA-256 (the key itself, shown once to
    the caller, never reaches a state)."""

    key_id: str
    sha256: str


def _not_found() -> Refused:
    return Refused(404, "source", "not_found", "No such source")


def _key_entry(key: NewKey, now: datetime) -> KeyEntry:
    return {"key_id": key.key_id, "sha256": key.sha256, "created_at": now.isoformat(), "revoked_at": None}


def decide_register(state: SourceState | None, data: SourceIn, key: NewKey, now: datetime) -> Decision | NoChange:
    if state is not None:
        return NoChange(Refused(409, "source", "already_registered", f"{data.source} is registered already"))
    new = {**data.model_dump(mode="json"), "active": True, "keys": [_key_entry(key, now)], "created_at": now.isoformat(), "updated_at": now.isoformat()}
    return Decision(new)


def decide_change(state: SourceState | None, change: SourceChange, now: datetime) -> Decision | NoChange:
    if state is None:
        return NoChange(_not_found())
    updates = change.model_dump(mode="json", exclude_none=True)
    if all(state.get(k) == v for k, v in updates.items()):
        return NoChange()
    return Decision({**state, **updates, "updated_at": now.isoformat()})


def decide_add_key(state: SourceState | None, key: NewKey, now: datetime) -> Decision | NoChange:
    if state is None:
        return NoChange(_not_found())
    if sum(1 for k in state["keys"] if k["revoked_at"] is None) >= MAX_ACTIVE_KEYS:
        return NoChange(Refused(409, "keys", "too_many_keys", f"At most {MAX_ACTIVE_KEYS} active keys; revoke one first"))
    return Decision({**state, "keys": [*state["keys"], _key_entry(key, now)], "updated_at": now.isoformat()})


def decide_revoke(state: SourceState | None, key_id: str, now: datetime) -> Decision | NoChange:
    if state is None:
        return NoChange(_not_found())
    if not any(k["key_id"] == key_id for k in state["keys"]):
        return NoChange(Refused(404, "key_id", "not_found", "No such key for this source"))
    if all(k["revoked_at"] is not None for k in state["keys"] if k["key_id"] == key_id):
        return NoChange()  # revoked already
    keys = [{**k, "revoked_at": now.isoformat()} if k["key_id"] == key_id else k for k in state["keys"]]
    return Decision({**state, "keys": keys, "updated_at": now.isoformat()})


def public_view(state: SourceState) -> dict:
    """A source as curators and the source itself see it: never a hash."""
    return {**{k: v for k, v in state.items() if k != "keys"}, "keys": [{k: v for k, v in key.items() if k != "sha256"} for key in state["keys"]]}


def may_publish(state: SourceState | None, source: str) -> Reason | None:
    """Why a message from ``source`` is refused (None: it may publish)."""
    if state is None:
        return Reason(field="source", code="unregistered_source", message=f"The source '{source}' is not registered; ask the city office (stadskontoret) for access")
    if not state["active"]:
        return Reason(field="source", code="inactive_source", message=f"The source '{source}' is deactivated")
    return None



def told(decision: Decision | NoChange, version: int, now: datetime, emitter: str) -> Decision | NoChange:
    """``decision`` with the source's new state told on ``registry.sources.v1`` (nothing to tell
    when nothing changes). ``version`` is the stored one the decision was taken on: the event
    carries the next, and its id follows from the source and that version, so a decision retried
    after a crash tells the very same event (followers keep the newest version)."""
    if not isinstance(decision, Decision):
        return decision
    state: SourceState = decision.state
    data = SourceChangedV1(
        source=state["source"], version=version + 1, kind=state["kind"], name=state["name"], active=state["active"],
        keys=[{"key_id": k["key_id"], "sha256": k["sha256"], "revoked": k["revoked_at"] is not None} for k in state["keys"]],
    )
    event_id = str(uuid.uuid5(EVENT_NAMESPACE, f"{state['source']}\n{version + 1}"))
    event = new_event(data, source=emitter, subject=state["source"], event_id=event_id, time=now)
    return Decision(state, [*decision.events, Pending.of(REGISTRY_SOURCES, event)], decision.outcome)
