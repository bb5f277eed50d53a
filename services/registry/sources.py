"""Publishers (sources): who may submit initiatives, and with which credentials.

A source is its CloudEvents ``source`` URI, a kind, names in Swedish and English, the Kafka
principal that production ACLs bind to it, and API keys for REST. Keys are shown once and
stored as SHA-256 only (``shared.auth``); rotating adds a key (the old one works until it is
revoked, so a publisher can switch without downtime), revoking ends one key, deactivating the
source ends all of them and makes its Kafka messages rejected. Each source is one aggregate
(``_id`` = its URI), changed only through the ``AggregateStore``.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from async_lru import alru_cache
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.auth import Principal, Role, StoredKey, hash_key
from shared.db.aggregates import AggregateStore
from shared.db.indexes import IndexSpec
from shared.decisions import Decision
from shared.envelope import Reason
from shared.events.initiatives import OrganizerKind

COLLECTION = "sources"
INDEXES = [IndexSpec(COLLECTION, (("state.keys.key_id", 1),))]
MAX_ACTIVE_KEYS = 5

SourceUri = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[a-z][a-z0-9+.-]*:\S+$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


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
    kafka_principal: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="The SASL principal production ACLs bind to this source (e.g. User:kulturforvaltningen).", examples=["User:kulturforvaltningen"]
    )


class SourceChange(BaseModel):
    """What a curator may change later; absent fields stay."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: OrganizerKind | None = None
    name: SourceNames | None = None
    kafka_principal: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    active: bool | None = Field(default=None, description="False: every key stops working and Kafka messages are rejected.")


class SourceRefused(Exception):
    def __init__(self, status: int, field: str, code: str, message: str):
        super().__init__(message)
        self.status, self.field, self.code, self.message = status, field, code, message


@dataclass(frozen=True)
class NewKey:
    key_id: str
    key: str  # shown once


def _key_entry(key: NewKey, now: datetime) -> dict:
    return {"key_id": key.key_id, "sha256": hash_key(key.key), "created_at": now.isoformat(), "revoked_at": None}


def decide_register(state: dict | None, data: SourceIn, key: NewKey, now: datetime) -> Decision:
    if state is not None:
        raise SourceRefused(409, "source", "already_registered", f"{data.source} is registered already")
    new = {**data.model_dump(mode="json"), "active": True, "keys": [_key_entry(key, now)], "created_at": now.isoformat(), "updated_at": now.isoformat()}
    return Decision(new)


def decide_change(state: dict | None, change: SourceChange, now: datetime) -> Decision | None:
    if state is None:
        raise SourceRefused(404, "source", "not_found", "No such source")
    updates = change.model_dump(mode="json", exclude_none=True)
    if all(state.get(k) == v for k, v in updates.items()):
        return None
    return Decision({**state, **updates, "updated_at": now.isoformat()})


def decide_add_key(state: dict | None, key: NewKey, now: datetime) -> Decision:
    if state is None:
        raise SourceRefused(404, "source", "not_found", "No such source")
    if sum(1 for k in state["keys"] if k["revoked_at"] is None) >= MAX_ACTIVE_KEYS:
        raise SourceRefused(409, "keys", "too_many_keys", f"At most {MAX_ACTIVE_KEYS} active keys; revoke one first")
    return Decision({**state, "keys": [*state["keys"], _key_entry(key, now)], "updated_at": now.isoformat()})


def decide_revoke(state: dict | None, key_id: str, now: datetime) -> Decision | None:
    if state is None:
        raise SourceRefused(404, "source", "not_found", "No such source")
    if not any(k["key_id"] == key_id for k in state["keys"]):
        raise SourceRefused(404, "key_id", "not_found", "No such key for this source")
    if all(k["revoked_at"] is not None for k in state["keys"] if k["key_id"] == key_id):
        return None  # revoked already
    keys = [{**k, "revoked_at": now.isoformat()} if k["key_id"] == key_id else k for k in state["keys"]]
    return Decision({**state, "keys": keys, "updated_at": now.isoformat()})


def public_view(state: dict) -> dict:
    """A source as curators and the source itself see it: never a hash."""
    return {**{k: v for k, v in state.items() if k != "keys"}, "keys": [{k: v for k, v in key.items() if k != "sha256"} for key in state["keys"]]}


def may_publish(state: dict | None, source: str) -> Reason | None:
    """Why a message from ``source`` is refused (None: it may publish)."""
    if state is None:
        return Reason(field="source", code="unregistered_source", message=f"The source '{source}' is not registered; ask the city office (stadskontoret) for access")
    if not state["active"]:
        return Reason(field="source", code="inactive_source", message=f"The source '{source}' is deactivated")
    return None


# How long a source read for the submission path is reused. Safe because a change made here
# drops the entry at once, and one made by another replica (a deactivation) takes effect within
# this many seconds — the same as a message already in flight. API keys are not cached
# (``resolve`` reads the database), so a revoked key stops working at once.
SOURCE_CACHE_S = 5.0


class Sources:
    def __init__(self, store: AggregateStore, cache_s: float = SOURCE_CACHE_S):
        self._store = store
        # ``get`` reused for a few seconds: every submission asks for its source. The handlers of
        # one batch ask at once, and async-lru lets them share one read rather than one each.
        # Bounded: unknown sources must not grow it without bound.
        self.cached = alru_cache(maxsize=10_000, ttl=cache_s)(self.get)

    async def get(self, source: str) -> dict | None:
        doc = await self._store.get(source)
        return doc["state"] if doc else None

    async def list(self, limit: int = 500) -> list[dict]:
        # Publishers number in the tens: one bounded read, ordered by URI in Python.
        docs = await self._store.collection.find({}, {"state": 1}).limit(limit).to_list(None)
        return sorted((d["state"] for d in docs), key=lambda s: s["source"])

    async def register(self, data: SourceIn, key: NewKey, now: datetime) -> dict:
        doc = await self._store.change(data.source, lambda state, _v: decide_register(state, data, key, now))
        self.cached.cache_invalidate(data.source)  # an "unregistered" answer cached a moment ago
        return doc["state"]

    async def change(self, source: str, change: SourceChange, now: datetime) -> dict:
        await self._store.change(source, lambda state, _v: decide_change(state, change, now))
        self.cached.cache_invalidate(source)  # after the write: a read in between cannot keep the old state
        return await self.get(source)

    async def add_key(self, source: str, key: NewKey, now: datetime) -> dict:
        doc = await self._store.change(source, lambda state, _v: decide_add_key(state, key, now))
        return doc["state"]

    async def revoke(self, source: str, key_id: str, now: datetime) -> dict:
        await self._store.change(source, lambda state, _v: decide_revoke(state, key_id, now))
        self.cached.cache_invalidate(source)
        return await self.get(source)

    async def resolve(self, key_id: str) -> StoredKey | None:
        """The Authenticator's resolver: a publisher's key by its id (a revoked key or an inactive source fails)."""
        doc = await self._store.collection.find_one({"state.keys.key_id": key_id})
        if doc is None:
            return None
        state = doc["state"]
        key = next(k for k in state["keys"] if k["key_id"] == key_id)
        revoked = key["revoked_at"] is not None or not state["active"]
        return StoredKey(key_id, key["sha256"], Principal(Role.source, key_id, state["source"]), revoked=revoked)
