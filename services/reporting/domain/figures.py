"""The figures, pure: an edition's tables, its budget, the all-editions counts, and the masks of everything published.

Every function here takes the read model (and settings such as the threshold) and returns
plain JSON; no I/O, no clock. The API, the exports, the dashboard and the snapshots all show
these same tables, so they always agree.
"""

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from services.reporting.domain.initiative_items import initiative_dims, initiative_editions
from services.reporting.domain.measures import TOTAL, UNKNOWN, AreaSpec, Item, ratio
from services.reporting.domain.model import ReadModel
from services.reporting.domain.reach_items import NOT_KNOWN_WHEN_ZERO
from services.reporting.domain.tables import AREAS, check_area, items_by_edition, items_of, raw_table, suppressed_cells

if TYPE_CHECKING:
    from services.reporting.domain.published import Masks


def table(model: ReadModel, area: str, dimension: str, edition_id: str | None, threshold: int | None, items: list[Item] | None = None,
          masks: "Masks | None" = None) -> dict:
    """One area by one dimension; ``threshold`` None: unsuppressed (analysts only). ``items``: the
    area's ``items_of`` when the caller already has them (raw_table does not change them);
    ``masks``: ``public_masks_of(model, threshold)`` when the caller has them. An edition's table
    is masked as part of everything published (``domain/published.py``)."""
    spec = check_area(area, dimension)
    cats, rows = raw_table(spec, items_of(model, area, edition_id) if items is None else items, dimension)
    if not threshold:
        masked: set[tuple[str, str]] = set()
    elif edition_id is None:
        masked = suppressed_cells(spec, cats, rows, threshold)
    else:
        masked = (masks or public_masks_of(model, threshold)).table(edition_id, area, dimension, rows)

    def shown(cat: str) -> dict:
        unknown = [m for m in NOT_KNOWN_WHEN_ZERO.get((area, dimension, cat), ()) if not rows[cat][m]]
        return {
            "values": {m: (None if (cat, m) in masked or m in unknown else v) for m, v in rows[cat].items()},
            "masked": sorted(m for m in rows[cat] if (cat, m) in masked),
            **({"not_known": unknown} if unknown else {}),
        }

    return {
        "area": area,
        "dimension": dimension,
        "edition_id": edition_id,
        "suppressed": threshold is not None,
        "threshold": threshold,
        "measures": [{"id": m.id, "kind": m.kind} for m in spec.measures],
        "rows": [{"category": c, **shown(c)} for c in cats],
        "total": shown(TOTAL),
    }


def edition_info(model: ReadModel, edition_id: str) -> dict:
    e = model.editions[edition_id]
    return {k: e[k] for k in ("edition_id", "name", "year", "starts_on", "ends_on", "budget_sek", "status")}


def area_figures(model: ReadModel, edition_id: str, area: str, threshold: int | None, dimension: str | None = None,
                 member: dict[str, set[str]] | None = None, items: list[Item] | None = None, masks: "Masks | None" = None) -> dict:
    """``items``: the area's ``items_of`` this edition, when the caller has them (``everything``)."""
    spec = check_area(area, dimension)
    dims = [dimension] if dimension else list(spec.dimensions)
    # The area's items once for all its tables: walking every initiative per table made the
    # rebuild's comparison grow with editions × dimensions × initiatives (measured in the runs in
    # docs/benchmarks.md's git history).
    items = items_of(model, area, edition_id, member) if items is None else items
    masks = public_masks_of(model, threshold) if threshold and masks is None else masks
    out = {
        "edition": edition_info(model, edition_id),
        "area": area,
        "tables": {d: table(model, area, d, edition_id, threshold, items, masks) for d in dims},
    }
    if area == "money":
        out["budget"] = budget_against_edition(model, edition_id, threshold, items, masks)
    if area == "follow_up":
        out["budget"] = grants_against_budget(model, edition_id, threshold, items, masks)
    return out


def grants_against_budget(model: ReadModel, edition_id: str, threshold: int | None, items: list[Item] | None = None,
                          masks: "Masks | None" = None) -> dict:
    """Granted and spent against the edition's budget: the follow-up area's totals, masked as they
    are there (what remains is masked with the granted sum it is computed from)."""
    budget = model.editions[edition_id]["budget_sek"]
    _, rows = raw_table(AREAS["follow_up"], items_of(model, "follow_up", edition_id) if items is None else items, "organizer_kind")
    total = rows[TOTAL]
    masked = (masks or public_masks_of(model, threshold)).table(edition_id, "follow_up", "organizer_kind", {TOTAL: total}) if threshold else set()

    def shown(measure: str, value: Any) -> Any:
        return None if (TOTAL, measure) in masked else value

    granted, spent = total["granted_sek"], total["spent_sek"]
    return {
        "budget_sek": budget,
        "granted": shown("granted", total["granted"]),
        "granted_sek": shown("granted_sek", granted),
        "remaining_sek": shown("granted_sek", budget - granted),
        "share_granted": shown("granted_sek", ratio(granted, budget)),
        "reported": shown("reported", total["reported"]),
        "spent_sek": shown("spent_sek", spent),
        "share_spent": None if {(TOTAL, "spent_sek"), (TOTAL, "granted_sek")} & masked else ratio(spent, granted),
        "participants_per_ksek": shown("participants_per_ksek", total["participants_per_ksek"]),
    }


def budget_against_edition(model: ReadModel, edition_id: str, threshold: int | None, items: list[Item] | None = None,
                           masks: "Masks | None" = None) -> dict:
    """The approved initiatives' requested total set against the edition's budget: the money
    area's totals, masked as they are there."""
    budget = model.editions[edition_id]["budget_sek"]
    spec = AREAS["money"]
    _, rows = raw_table(spec, items_of(model, "money", edition_id) if items is None else items, "theme")
    total = rows[TOTAL]
    masked = (masks or public_masks_of(model, threshold)).table(edition_id, "money", "theme", {TOTAL: total}) if threshold else set()
    return {
        "budget_sek": budget,
        "initiatives": None if (TOTAL, "initiatives") in masked else total["initiatives"],
        "requested_sek": None if (TOTAL, "requested_sek") in masked else total["requested_sek"],
        "own_funding_sek": None if (TOTAL, "own_funding_sek") in masked else total["own_funding_sek"],
        "share_of_budget": None if (TOTAL, "requested_sek") in masked else ratio(total["requested_sek"], budget),
        "masked": (TOTAL, "initiatives") in masked,
    }


def all_figures(model: ReadModel, edition_id: str, threshold: int | None, member: dict[str, set[str]] | None = None,
                by_edition: dict[str, dict[str | None, list[Item]]] | None = None) -> dict:
    """``member``: ``initiative_editions(model)``, and ``by_edition``: each area's ``items_by_edition``,
    computed once by a caller that asks for many editions."""
    masks = public_masks_of(model, threshold, by_edition) if threshold else None
    if by_edition is not None:
        return {area: area_figures(model, edition_id, area, threshold, items=by_edition[area].get(edition_id, []), masks=masks) for area in AREAS}
    member = initiative_editions(model) if member is None else member
    return {area: area_figures(model, edition_id, area, threshold, member=member, masks=masks) for area in AREAS}


# ---------------------------------------------------------------- one set of masks for everything published


def all_edition_tables(model: ReadModel) -> dict[str | None, dict[str, tuple[list[str], dict[str, int]]]]:
    """The all-editions initiative counts as ``GET /v1/figures/initiatives`` shows them, unsuppressed:
    publisher (None: every one) → dimension → (categories, {category or _total: count})."""
    simple = AreaSpec(dimensions=(), measures=(AREAS["initiatives"].measures[0],))
    chosen: dict[str | None, list[Item]] = defaultdict(list)
    chosen[None] = []
    for i in model.initiatives.values():
        item = (initiative_dims(i) | {"status": [i["status"]]}, {"submitted": 1}, {})
        chosen[None].append(item)
        chosen[i["source"]].append(item)
    out = {}
    for source, items in chosen.items():
        tables = {}
        for dim in ("status", "theme", "organizer_kind", "origin"):
            cats, rows = raw_table(simple, items, dim)
            tables[dim] = (cats, {c: row["submitted"] for c, row in rows.items()})
        out[source] = tables
    return out


def public_masks_of(model: ReadModel, threshold: int, by_edition: dict[str, dict[str | None, list[Item]]] | None = None) -> "Masks":
    """The masks of everything the public reads (``domain/published.py``), made once per
    state of the model and threshold."""
    from services.reporting.domain.published import public_masks

    key = ("public_masks", threshold)
    kept = model.derived.get(key)
    if kept is not None and kept[0] == model.revision:
        return kept[1]
    if by_edition is None:
        member = initiative_editions(model)
        by_edition = {area: items_by_edition(model, area, member) for area in AREAS}
    masks = public_masks(model, threshold, by_edition, all_edition_tables(model))
    model.derived[key] = (model.revision, masks)
    return masks


# ---------------------------------------------------------------- the walking skeleton's counts


def initiative_counts(model: ReadModel, source: str | None, threshold: int | None) -> dict:
    """Initiatives by status, theme, organizer kind and origin (every edition); small counts, and
    what would give them away next to the editions' figures, are null unless ``threshold`` is
    None (analysts)."""
    tables = all_edition_tables(model).get(source)
    masks = public_masks_of(model, threshold) if threshold else None
    out: dict[str, Any] = {"suppressed": threshold is not None, "threshold": threshold}
    for key, dim in (("by_status", "status"), ("by_theme", "theme"), ("by_organizer_kind", "organizer_kind"), ("by_origin", "origin")):
        cats, rows = tables[dim] if tables else ([], {TOTAL: 0})
        out[key] = {c: (None if masks and masks.all(source, dim, c) else rows[c]) for c in cats if c != UNKNOWN}
    total = tables["status"][1][TOTAL] if tables else 0
    out["total"] = None if masks and tables and masks.all(source, "status", TOTAL) else total
    return dict(sorted(out.items()))
