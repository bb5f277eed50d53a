"""Curators' grants as a use case: checks the initiative, then one change of the edition's grant
book through its AggregateStore (``domain/grants.py`` decides; the store serialises the writers)."""

from datetime import UTC, datetime
from typing import Any

import structlog

from services.registry.adapters.editions import Editions
from services.registry.domain.grants import GrantRequest, book_of, check_initiative, decide_grant
from shared.db.aggregates import AggregateStore, change_one
from shared.refusals import Refused, accepted

log = structlog.get_logger(__name__)


class Grants:
    """``store``: the grant books (one per edition); ``initiatives``: the initiatives' store (read only)."""

    def __init__(self, store: AggregateStore, initiatives: AggregateStore, editions: Editions, emitter: str):
        self._store = store
        self._initiatives = initiatives
        self._editions = editions
        self._emitter = emitter

    async def _edition(self, edition_id: str) -> dict[str, Any]:
        edition = await self._editions.get(edition_id)
        if edition is None:
            raise Refused(404, "edition_id", "not_found", f"No edition {edition_id}.")
        return edition

    async def grant(self, edition_id: str, request: GrantRequest) -> dict[str, Any]:
        """Set the initiative's grant (``Refused`` when it cannot be); returns the edition's book."""
        edition = await self._edition(edition_id)
        doc = await self._initiatives.get(request.initiative_id)
        refusal = check_initiative(doc["state"] if doc else None, edition_id, request)
        if refusal is not None:
            raise refusal
        now = datetime.now(UTC)
        changed = accepted(await change_one(self._store, edition_id, lambda state, version: decide_grant(state, version, edition, request, now, self._emitter)))
        log.info("grant", edition_id=edition_id, initiative_id=request.initiative_id, amount_sek=request.amount_sek, curator=request.curator,
                 changed=changed.written)
        if changed.written:  # the book as this change left it (another may follow at once)
            return book_of(edition_id, changed.state["budget_sek"], changed.state, changed.document["state_version"])
        return await self.book(edition_id)

    async def book(self, edition_id: str) -> dict[str, Any]:
        """The edition's grants, their sum and what remains of its budget."""
        edition = await self._edition(edition_id)
        doc = await self._store.get(edition_id)
        return book_of(edition_id, int(edition.get("budget_sek") or 0), doc["state"] if doc else None, doc["state_version"] if doc else 0)
