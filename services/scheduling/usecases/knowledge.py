"""The public knowledge bank: every published outcome report, found by words and filters.

Held in memory (published reports are a few hundred a year), indexed by their stems
(``domain/knowledge.py``), from the stored copies at start-up and from each report event after, on every replica.
A report leaves the bank when a newer version of it is not published (revised, under review
again). Each entry carries its initiative's themes, organiser kind and sessions as scheduling
knows them when the report was taken in.
"""

from services.scheduling.adapters.initiatives import InitiativeCopies
from services.scheduling.adapters.reports import ReportCopies
from services.scheduling.domain.knowledge import Asked, index_of, matches
from shared.envelope import Envelope
from shared.events.reports import ReportStateV1


class KnowledgeBank:
    def __init__(self, copies: ReportCopies, initiatives: InitiativeCopies):
        self._copies = copies
        self._initiatives = initiatives
        self._entries: dict[str, tuple[dict, frozenset[str]]] = {}  # initiative id → (entry, its stems)

    async def _take(self, report: dict) -> None:
        initiative_id = report["initiative_id"]
        if report.get("status") != "published" or not report.get("content"):
            self._entries.pop(initiative_id, None)
            return
        initiative = await self._initiatives.get(initiative_id) or {}
        entry = {**report, "themes": initiative.get("themes", []), "organizer_kind": (initiative.get("organizer") or {}).get("kind"),
                 "organizer_name": (initiative.get("organizer") or {}).get("name"), "title": report.get("title") or initiative.get("title")}
        self._entries[initiative_id] = (entry, index_of(entry))

    async def load(self) -> None:
        """At start-up: every stored copy."""
        async for report in self._copies.all():
            await self._take(report)

    async def apply(self, event: Envelope, data: ReportStateV1) -> None:
        # A repeat or an older version stores nothing; the bank then takes the stored copy again
        # (so a redelivery after a failure between the two steps still puts it in the bank).
        current = await self._copies.keep(data) or await self._copies.get(data.initiative_id)
        if current is not None:
            await self._take(current)

    async def remember(self, event: Envelope, data: ReportStateV1) -> None:
        """On every replica (``every_replica``): the event into this replica's bank; the shared
        subscription's ``apply`` keeps the copy."""
        await self._take(data.model_dump(mode="json", exclude={"event_type"}))

    def find(self, asked: Asked) -> list[dict]:
        """The published reports answering ``asked``, newest publication first."""
        found = [entry for entry, stemmed in self._entries.values() if matches(entry, stemmed, asked)]
        return sorted(found, key=lambda e: (e.get("published_at") or "", e["initiative_id"]), reverse=True)

    def get(self, initiative_id: str) -> dict | None:
        held = self._entries.get(initiative_id)
        return held[0] if held else None

    def editions(self) -> list[str]:
        return sorted({e.get("edition_id") for e, _ in self._entries.values() if e.get("edition_id")}, reverse=True)
