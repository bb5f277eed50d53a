"""A service's copy of the registry's publishers (``registry.sources.v1``), so a publisher's API
key is its source's there too (docs/decisions/0011-publishers-keys-by-event.md); scheduling and
notifications each keep one.

One document per source (``_id`` = its URI), the newest version told (``keep_newest``: a repeat
or an older version changes nothing); the service's consumer is the copies' one writer. Keys
are looked up in memory by their id (``resolve``, the Authenticator's resolver, on every call
with a key): the map is built from the stored copies at start-up and changed with each event
taken in, on every replica: ``apply`` in the service's shared subscription stores the copy,
``remember`` in one read by every replica (``every_replica``) changes each replica's map, so a
revoked key or a deactivated source stops working on every replica within its consumer's lag.
"""

from shared.auth import Principal, Role, StoredKey
from shared.db.aggregates import AggregateStore
from shared.db.copies import keep_newest
from shared.envelope import Envelope
from shared.events.sources import SourceChangedV1


def keys_of(state: dict) -> dict[str, StoredKey]:
    """Key id → the stored key of one source's copy; every key is revoked while the source is inactive."""
    principal = {k["key_id"]: Principal(Role.source, k["key_id"], state["source"]) for k in state["keys"]}
    return {k["key_id"]: StoredKey(k["key_id"], k["sha256"], principal[k["key_id"]], revoked=k["revoked"] or not state["active"])
            for k in state["keys"]}


class SourceCopies:
    def __init__(self, store: AggregateStore):
        self._store = store
        self._keys: dict[str, StoredKey] = {}  # key id → key, of every source
        self._versions: dict[str, int] = {}  # source → the version its keys in ``_keys`` are of
        self._key_ids: dict[str, set[str]] = {}  # source → its key ids

    def _take(self, state: dict) -> None:
        source = state["source"]
        if state["version"] <= self._versions.get(source, 0):
            return
        for key_id in self._key_ids.pop(source, set()):
            self._keys.pop(key_id, None)
        keys = keys_of(state)
        self._keys.update(keys)
        self._key_ids[source] = set(keys)
        self._versions[source] = state["version"]

    async def load(self) -> None:
        """At start-up: every stored copy into the key map (publishers number in the tens)."""
        async for doc in self._store.find({}, {"state": 1}):
            self._take(doc["state"])

    async def apply(self, event: Envelope, data: SourceChangedV1) -> None:
        """Keep the newest version of the source, then its keys (a repeat or an older one changes nothing)."""
        copy = data.model_dump(mode="json")
        await keep_newest(self._store, data.source, data.version, copy)
        self._take(copy)

    async def remember(self, event: Envelope, data: SourceChangedV1) -> None:
        """On every replica (a subscription with ``every_replica``): the source's keys into this
        replica's map; ``apply``, in the shared subscription, keeps the copy."""
        self._take(data.model_dump(mode="json"))

    async def resolve(self, key_id: str) -> StoredKey | None:
        """The Authenticator's resolver: a publisher's key by its id (revoked when the key is, or its source inactive)."""
        return self._keys.get(key_id)
