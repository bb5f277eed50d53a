"""The registry's own copy of the editions' submission windows (``domain.editions`` measures
submissions against it).

Editions (forum periods with ``submission_opens_on`` / ``submission_closes_on``) are owned by
scheduling and told on ``scheduling.sessions.v1``; the registry keeps the newest version of each
(``keep_newest``: repeats and reordering change nothing). Only this process's consumer writes the
copy, so its store is built ``own=True``.
"""

from async_lru import alru_cache

from services.registry.domain.states import EditionState
from shared.db.aggregates import AggregateStore
from shared.db.copies import keep_newest
from shared.events.scheduling import EditionClosedV1, EditionPlannedV1, EditionProgrammePublishedV1, EditionUpdatedV1

EDITION_EVENTS = (EditionPlannedV1, EditionUpdatedV1, EditionProgrammePublishedV1, EditionClosedV1)
KEPT = ("edition_id", "version", "starts_on", "ends_on", "submission_opens_on", "submission_closes_on", "status", "budget_sek")


class Editions:
    """The copy, and a short-lived cache of it for the submissions' path (editions are few)."""

    def __init__(self, store: AggregateStore, cache_s: float = 5.0):
        self._store = store
        self.cached = alru_cache(maxsize=1, ttl=cache_s)(self.all)

    async def keep(self, event, data) -> None:
        await keep_newest(self._store, data.edition_id, data.version, data.model_dump(mode="json", include=set(KEPT)))
        self.cached.cache_clear()

    async def get(self, edition_id: str) -> EditionState | None:
        """One edition as last told (not cached: a grant is measured against its current budget)."""
        doc = await self._store.get(edition_id)
        return doc["state"] if doc else None

    async def all(self) -> list[EditionState]:
        return [d["state"] async for d in self._store.find({}, {"state": 1})]
