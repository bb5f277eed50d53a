"""Vocabularies as a use case: seeding a fresh database, curators' terms, and the cached copy the
submissions check their codes against. The decisions are ``domain.vocabularies``."""

from datetime import datetime
from functools import partial

from async_lru import alru_cache

from services.registry.domain.states import Term
from services.registry.domain.vocabularies import VOCABULARIES, TermIn, decide_seed, decide_term
from shared.db.aggregates import AggregateStore, change_one

# How long the vocabularies read for the submission path are reused. Safe because a curator's
# change made here drops the copy at once, and one made by another replica is seen within this
# many seconds (a term added a moment ago may be refused once; the publisher sends again).
VOCABULARY_CACHE_S = 5.0


class Vocabularies:
    def __init__(self, store: AggregateStore, source: str, cache_s: float = VOCABULARY_CACHE_S):
        self._store = store
        self._source = source  # the registry's CloudEvents source
        # ``all`` reused for a few seconds: every submission checks its codes against them (one
        # read shared by the handlers of a batch that ask at once).
        self.cached = alru_cache(maxsize=1, ttl=cache_s)(self.all)

    async def seed(self, now: datetime) -> None:
        """Fill a fresh database with the defaults, never changing a vocabulary once it exists
        (one batch: the reads side by side, what is missing in one write)."""
        self.cached.cache_clear()
        decides = {name: partial(decide_seed, name=name, now=now, source=self._source) for name in VOCABULARIES}
        await self._store.change(decides)

    async def all(self) -> dict[str, dict[str, Term]]:
        return {d["_id"]: d["state"]["terms"] async for d in self._store.find({"_id": {"$in": list(VOCABULARIES)}})}

    async def put(self, name: str, code: str, term: TermIn, now: datetime) -> Term:
        """Add or change a term (seeded first, so the vocabulary exists)."""
        await change_one(self._store, name, lambda state, version: decide_term(state, version, code, term, now, self._source))
        self.cached.cache_clear()  # after the write: a read in between cannot keep the old terms
        return (await self.all())[name][code]

