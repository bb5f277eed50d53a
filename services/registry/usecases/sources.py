"""Publishers (sources) as a use case: registering, changing, keys, and the look-ups the edges need.

The decisions are ``domain.sources``; a refusal comes back as the decision's outcome and is raised
here (``Refused``). Each source is one aggregate (``_id`` = its URI), changed only through the store.
"""

from datetime import datetime

from async_lru import alru_cache

from shared.refusals import accepted
from services.registry.domain import inbox
from services.registry.domain.sources import NewKey, SourceChange, SourceIn, decide_add_key, decide_change, decide_register, decide_revoke, told
from services.registry.domain.states import SourceState
from shared.auth import Principal, Role, StoredKey
from shared.db.aggregates import AggregateStore, Changed, change_one

# How long a source read for the submission path is reused. Safe because a change made here
# drops the entry at once, and one made by another replica (a deactivation) takes effect within
# this many seconds — the same as a message already in flight. API keys are not cached
# (``resolve`` reads the database), so a revoked key stops working at once.
SOURCE_CACHE_S = 5.0


def _taken(changed: Changed) -> Changed:
    """The change, or its refusal raised."""
    accepted(changed)
    return changed


class Sources:
    def __init__(self, store: AggregateStore, emitter: str, cache_s: float = SOURCE_CACHE_S):
        self._store = store
        self._emitter = emitter  # the registry's CloudEvents source: every change is told (``told``)
        # ``get`` reused for a few seconds: every submission asks for its source. The handlers of
        # one batch ask at once, and async-lru lets them share one read rather than one each.
        # Bounded: unknown sources must not grow it without bound.
        self.cached = alru_cache(maxsize=10_000, ttl=cache_s)(self.get)

    async def get(self, source: str) -> SourceState | None:
        doc = await self._store.get(source)
        return doc["state"] if doc else None

    async def publisher_of(self, topic: str, prefix: str = "") -> str | None:
        """The source whose inbox ``topic`` (``prefix`` + its catalogue name) is: the one registered
        with the principal the inbox proves; None for another topic or a principal no source has.
        Asked for refusals only, so a scan of the few sources, not an index."""
        principal = inbox.proven_principal(topic.removeprefix(prefix))
        if principal is None:
            return None
        return next((s["source"] for s in await self.list() if s.get("kafka_principal") == principal), None)

    async def list(self, limit: int = 500) -> list[SourceState]:
        # Publishers number in the tens: one bounded read, ordered by URI in Python.
        states = [d["state"] async for d in self._store.find({}, {"state": 1}, limit=limit)]
        return sorted(states, key=lambda s: s["source"])

    async def register(self, data: SourceIn, key: NewKey, now: datetime) -> SourceState:
        changed = await change_one(self._store, data.source, lambda state, v: told(decide_register(state, data, key, now), v, now, self._emitter),
                                   new=True)
        self.cached.cache_invalidate(data.source)  # an "unregistered" answer cached a moment ago
        return _taken(changed).state

    async def change(self, source: str, change: SourceChange, now: datetime) -> SourceState:
        _taken(await change_one(self._store, source, lambda state, v: told(decide_change(state, change, now), v, now, self._emitter)))
        self.cached.cache_invalidate(source)  # after the write: a read in between cannot keep the old state
        return await self.get(source)

    async def add_key(self, source: str, key: NewKey, now: datetime) -> SourceState:
        return _taken(await change_one(self._store, source, lambda state, v: told(decide_add_key(state, key, now), v, now, self._emitter))).state

    async def revoke(self, source: str, key_id: str, now: datetime) -> SourceState:
        _taken(await change_one(self._store, source, lambda state, v: told(decide_revoke(state, key_id, now), v, now, self._emitter)))
        self.cached.cache_invalidate(source)
        return await self.get(source)

    async def resolve(self, key_id: str) -> StoredKey | None:
        """The Authenticator's resolver: a publisher's key by its id (a revoked key or an inactive source fails)."""
        found = [d["state"] async for d in self._store.find({"state.keys.key_id": key_id}, {"state": 1}, limit=1)]
        if not found:
            return None
        state = found[0]
        key = next(k for k in state["keys"] if k["key_id"] == key_id)
        revoked = key["revoked_at"] is not None or not state["active"]
        return StoredKey(key_id, key["sha256"], Principal(Role.source, key_id, state["source"]), revoked=revoked)
