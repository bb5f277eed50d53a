"""The trends between editions, pure: one row per edition, the key figures of each, masked as they are there."""

from datetime import date

from services.reporting.domain.figures import public_masks_of
from services.reporting.domain.initiative_items import initiative_editions
from services.reporting.domain.measures import TOTAL, Item, Measure
from services.reporting.domain.model import ReadModel
from services.reporting.domain.tables import AREAS, items_by_edition, raw_table

# Each trend is its edition's total of an area's measure: (area, measure).
TREND_CELLS = {
    "submitted": ("initiatives", "submitted"),
    "approved": ("initiatives", "approved"),
    "sessions": ("participation", "sessions"),
    "seats_offered": ("participation", "seats_offered"),
    "participants": ("participation", "participants"),
    "attended": ("participation", "attended"),
    "delivered": ("reach", "delivered"),
    "fill_rate": ("participation", "fill_rate"),
    "requested_sek": ("money", "requested_sek"),
}

TREND_MEASURES = (
    Measure("submitted"),
    Measure("approved"),
    Measure("sessions"),
    Measure("seats_offered"),
    Measure("participants"),
    Measure("attended"),
    Measure("delivered"),
    Measure("fill_rate", "ratio", ("participants", "seats_offered")),
    Measure("requested_sek", "amount", ("approved",)),
    Measure("budget_sek", "budget"),
)


def trends(model: ReadModel, threshold: int | None, start: date | None = None, end: date | None = None,
           by_edition: dict[str, dict[str | None, list[Item]]] | None = None) -> dict:
    """One row per edition (by year), the key figures of each; ``start``/``end`` choose editions by their first day.
    ``by_edition``: each area's ``items_by_edition``, when the caller has them."""
    if by_edition is None:
        # One walk of the model per area, not one per edition and area.
        member = initiative_editions(model)
        by_edition = {area: items_by_edition(model, area, member) for area in AREAS}  # all: the masks link every area
    editions = sorted(model.editions.values(), key=lambda e: (e["year"], e["edition_id"]))
    rows = []
    for e in editions:
        first = date.fromisoformat(e["starts_on"])
        if (start and first < start) or (end and first > end):
            continue
        eid = e["edition_id"]
        _, ini = raw_table(AREAS["initiatives"], by_edition["initiatives"].get(eid, []), "origin")
        _, par = raw_table(AREAS["participation"], by_edition["participation"].get(eid, []), "theme")
        _, rea = raw_table(AREAS["reach"], by_edition["reach"].get(eid, []), "channel")
        _, mon = raw_table(AREAS["money"], by_edition["money"].get(eid, []), "theme")
        totals = {"initiatives": ini[TOTAL], "participation": par[TOTAL], "reach": rea[TOTAL], "money": mon[TOTAL]}
        values = {m: totals[area][measure] for m, (area, measure) in TREND_CELLS.items()} | {"budget_sek": e["budget_sek"]}
        masked: set[str] = set()
        if threshold:  # a trend is its edition's total, masked as it is there
            masks = public_masks_of(model, threshold, by_edition)
            masked = {m for m in values if masks.trend(eid, m)}
        rows.append({
            "category": eid,
            "year": e["year"],
            "name": e["name"],
            "values": {m: (None if m in masked else v) for m, v in values.items()},
            "masked": sorted(masked),
        })
    return {
        "area": "trends",
        "dimension": "edition",
        "suppressed": threshold is not None,
        "threshold": threshold,
        "measures": [{"id": m.id, "kind": m.kind} for m in TREND_MEASURES],
        "rows": rows,
    }
