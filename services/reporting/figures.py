"""The figures, pure: group-bys over the read model, rates, and small-number suppression.

Every function here takes the read model (and settings such as the threshold) and returns
plain JSON; no I/O, no clock. The API, the exports, the dashboard and the snapshots all show
these same tables, so they always agree.
"""

import statistics
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from services.reporting.model import ReadModel
from services.reporting.suppression import Group, suppress

if TYPE_CHECKING:
    from services.reporting.published import Masks

TOTAL = "_total"
UNKNOWN = "_unknown"
NOT_ADMINISTRATION = "_not_administration"
FINAL_STATUSES = frozenset({"approved", "rejected", "withdrawn"})  # the rest are "in progress"
# Cells nothing measures, shown as not known ("." in exports) rather than as a 0 that reads as a
# fact: (area, dimension, category) → measures. No mail server tells whether an email arrived;
# only a mail gateway that sends delivery receipts would, and then its count is shown.
NOT_KNOWN_WHEN_ZERO = {("reach", "channel", "email"): ("delivered",)}


class UnknownArea(ValueError):
    pass


class UnknownDimension(ValueError):
    pass


@dataclass(frozen=True)
class Measure:
    id: str
    kind: str = "count"  # count | amount (SEK) | ratio | median
    depends: tuple[str, ...] = ()  # the counts whose masking masks this one


@dataclass(frozen=True)
class AreaSpec:
    dimensions: tuple[str, ...]
    measures: tuple[Measure, ...]
    identities: tuple[tuple[str, tuple[str, ...]], ...] = ()  # whole = sum(parts), in each row
    derive: Callable[[dict[str, Any]], dict[str, Any]] | None = None


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _derive_initiatives(row: dict) -> dict:
    return {"review_lead_time_days": _median(row.pop("_lead_times", []))}


def _derive_participation(row: dict) -> dict:
    return {
        "fill_rate": _ratio(row["participants"], row["seats_offered"]),
        "no_show_rate": _ratio(row["attendance_base"] - row["attended"], row["attendance_base"]),
    }


AREAS: dict[str, AreaSpec] = {
    "initiatives": AreaSpec(
        dimensions=("organizer_kind", "administration", "theme", "target_group", "district", "language", "origin"),
        measures=(
            Measure("submitted"),
            Measure("approved"),
            Measure("rejected"),
            Measure("withdrawn"),
            Measure("in_progress"),
            Measure("reviewed"),
            Measure("review_lead_time_days", "median", ("reviewed",)),
        ),
        identities=(("submitted", ("approved", "rejected", "withdrawn", "in_progress")),),
        derive=_derive_initiatives,
    ),
    "participation": AreaSpec(
        dimensions=("theme", "district", "language", "organizer_kind", "organizer"),
        measures=(
            Measure("sessions"),
            Measure("cancelled_sessions"),
            Measure("seats_offered"),
            Measure("registrations"),
            Measure("participants"),
            Measure("waitlisted"),
            Measure("attendance_base"),
            Measure("attended"),
            Measure("fill_rate", "ratio", ("participants", "seats_offered")),
            Measure("no_show_rate", "ratio", ("attendance_base", "attended")),
        ),
        derive=_derive_participation,
    ),
    "reach": AreaSpec(
        dimensions=("channel", "language", "category"),
        # What is known of a message: handed over (the SMTP server or SMS gateway accepted it),
        # delivered (a receipt said so: SMS gateways send them, mail servers do not), bounced
        # (handed over, then a failure receipt), failed (never handed over), expired.
        measures=(Measure("sent"), Measure("delivered"), Measure("bounced"), Measure("failed"), Measure("expired")),
    ),
    "money": AreaSpec(
        dimensions=("administration", "theme", "organizer_kind"),
        measures=(
            Measure("initiatives"),
            Measure("requested_sek", "amount", ("initiatives",)),
            Measure("own_funding_sek", "amount", ("initiatives",)),
        ),
    ),
}


def check_area(area: str, dimension: str | None = None) -> AreaSpec:
    spec = AREAS.get(area)
    if spec is None:
        raise UnknownArea(area)
    if dimension is not None and dimension not in spec.dimensions:
        raise UnknownDimension(dimension)
    return spec


# ---------------------------------------------------------------- which items belong where


def _day(text: str | None) -> date | None:
    if not text:
        return None
    return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)


def initiative_editions(model: ReadModel) -> dict[str, set[str]]:
    """Initiative id → its editions: those of its sessions; else the editions its proposed period
    overlaps; else the edition of the year it was received."""
    out: dict[str, set[str]] = defaultdict(set)
    for s in model.sessions.values():
        out[s["initiative_id"]].add(s["edition_id"])
    # Each edition's days parsed once, not once per initiative.
    periods = [(_day(e["starts_on"]), _day(e["ends_on"]), e["edition_id"]) for e in model.editions.values()]
    for i in model.initiatives.values():
        iid = i["initiative_id"]
        if out.get(iid):
            continue
        start, end = _day(i.get("period_start")), _day(i.get("period_end"))
        if start and end:
            for first, last, eid in periods:
                if start <= last and first <= end:
                    out[iid].add(eid)
        if not out.get(iid) and i.get("received_at"):
            year = _day(i["received_at"]).year
            out[iid].update(e["edition_id"] for e in model.editions.values() if e["year"] == year)
    return out


def _or_unknown(values: Iterable[str | None]) -> list[str]:
    vs = sorted({v for v in values if v})
    return vs or [UNKNOWN]


def _initiative_dims(i: dict) -> dict[str, list[str]]:
    kind = i.get("organizer_kind")
    return {
        "organizer_kind": _or_unknown([kind]),
        "administration": [i.get("organizer_name") or UNKNOWN] if kind == "administration" else [NOT_ADMINISTRATION],
        "organizer": _or_unknown([i.get("organizer_name")]),
        "theme": _or_unknown(i["themes"]),
        "target_group": _or_unknown(i["target_groups"]),
        "district": _or_unknown(i["districts"]),
        "language": _or_unknown(i["languages"]),
        "origin": _or_unknown([i.get("origin")]),
    }


def _session_dims(s: dict | None) -> dict[str, list[str]]:
    if s is None:
        return {d: [UNKNOWN] for d in ("theme", "district", "language", "organizer_kind", "organizer")}
    return {
        "theme": _or_unknown(s["themes"]),
        "district": _or_unknown(s["districts"]),
        "language": _or_unknown(s["languages"]),
        "organizer_kind": _or_unknown([s.get("organizer_kind")]),
        "organizer": _or_unknown([s.get("organizer_name")]),
    }


def _lead_days(i: dict) -> float | None:
    if not i.get("first_decided_at") or not i.get("received_at"):
        return None
    delta = datetime.fromisoformat(i["first_decided_at"]) - datetime.fromisoformat(i["received_at"])
    return max(0.0, delta.total_seconds() / 86400)


Item = tuple[dict[str, list[str]], dict[str, float], dict[str, list[float]]]


def items_of(model: ReadModel, area: str, edition_id: str | None, member: dict[str, set[str]] | None = None) -> list[Item]:
    """(dimension values, contributions, listed values) of everything counted in an area.

    ``member``: ``initiative_editions(model)`` when the caller already has it (all_figures)."""
    return [make(x) for editions, make, x in _counted(model, area, member) if edition_id is None or edition_id in editions]


def items_by_edition(model: ReadModel, area: str, member: dict[str, set[str]] | None = None) -> dict[str | None, list[Item]]:
    """The items of every edition at once, in one walk of the model (a walk per edition made the
    rebuild's comparison grow with editions × aggregates), and merged: the items of an edition
    with the same dimension values become one item whose contributions are their sums and whose
    listed values are all of theirs. A table adds up its items' contributions by category and
    takes a median of the listed values, so it is the same from ``items_of`` as from these, and
    the tables walk one item per kind of initiative, session or delivery, not one per aggregate."""
    merged: dict[str | None, dict[Hashable, tuple[dict, dict, dict]]] = defaultdict(dict)
    for editions, key, make, x in _keyed(model, area, member):
        if not editions:
            continue
        dims, counts, lists = make(x)
        for e in editions:
            slot = merged[e].get(key)
            if slot is None:
                merged[e][key] = (dims, dict(counts), {k: list(vs) for k, vs in lists.items()})
                continue
            total, listed = slot[1], slot[2]
            for m, v in counts.items():
                total[m] = total.get(m, 0) + v
            for k, vs in lists.items():
                listed.setdefault(k, []).extend(vs)
    return {e: Items(slots.values()) for e, slots in merged.items()}


class Items(list):
    """An edition's items that keep their raw tables once made: the raw and the public figures of
    a model (and the trends) add up the same tables, only their suppression differs."""

    def __init__(self, items: Iterable[Item] = ()):
        super().__init__(items)
        self.tables: dict[tuple[int, str], tuple[list[str], dict[str, dict]]] = {}


def _keyed(model: ReadModel, area: str, member: dict[str, set[str]] | None) -> Iterator[tuple[Collection[str | None], Hashable, Callable[[Any], Item], Any]]:
    """``_counted`` with a key that equals for equal dimension values."""
    if area in ("initiatives", "money"):
        for editions, make, i in _counted(model, area, member):
            key = (i.get("organizer_kind"), i.get("organizer_name"), tuple(i["themes"]), tuple(i["target_groups"]),
                   tuple(i["districts"]), tuple(i["languages"]), i.get("origin"))
            yield editions, key, make, i
    elif area == "participation":
        keys = {sid: (s.get("organizer_kind"), s.get("organizer_name"), tuple(s["themes"]), tuple(s["districts"]), tuple(s["languages"]))
                for sid, s in model.sessions.items()}
        for editions, make, x in _counted(model, area, member):
            yield editions, keys.get(x["session_id"]), make, x  # None: an unknown session
    elif area == "reach":
        for editions, make, d in _counted(model, area, member):
            yield editions, (d["channel"], d["language"], d["category"]), make, d


def _counted(model: ReadModel, area: str, member: dict[str, set[str]] | None) -> Iterator[tuple[Collection[str | None], Callable[[Any], Item], Any]]:
    """(the editions it counts in, how to make its item, the summary) of everything an area counts,
    in the model's order; the item is made only by a caller that takes it."""
    if area in ("initiatives", "money"):
        member = initiative_editions(model) if member is None else member
        make = _initiative_item if area == "initiatives" else _money_item
        for i in model.initiatives.values():
            if area == "initiatives" or i["status"] == "approved":
                yield member.get(i["initiative_id"], ()), make, i
    elif area == "participation":
        taken = {r["session_id"] for r in model.registrations.values() if r["attended"]}
        # One session's dimension values once, for it and all its registrations.
        dims = {sid: _session_dims(s) for sid, s in model.sessions.items()}
        make_session = partial(_session_item, dims)
        for s in model.sessions.values():
            yield (s["edition_id"],), make_session, s
        make_registration = partial(_registration_item, dims, _session_dims(None), taken)
        for r in model.registrations.values():
            yield (r["edition_id"],), make_registration, r
    elif area == "reach":
        make_delivery = partial(_delivery_item, {})
        for d in model.deliveries.values():
            yield (d.get("edition_id"),), make_delivery, d


def _initiative_item(i: dict) -> Item:
    status = i["status"]
    lead = _lead_days(i)
    counts = {
        "submitted": 1,
        "approved": int(status == "approved"),
        "rejected": int(status == "rejected"),
        "withdrawn": int(status == "withdrawn"),
        "in_progress": int(status not in ("approved", "rejected", "withdrawn")),
        "reviewed": int(lead is not None),
    }
    return _initiative_dims(i), counts, {"_lead_times": [lead] if lead is not None else []}


def _money_item(i: dict) -> Item:
    return _initiative_dims(i), {"initiatives": 1, "requested_sek": i["requested_sek"], "own_funding_sek": i["own_funding_sek"]}, {}


def _session_item(dims: dict[str, dict[str, list[str]]], s: dict) -> Item:
    live = s["status"] != "cancelled"
    counts = {
        "sessions": int(live and s["status"] != "draft"),
        "cancelled_sessions": int(not live),
        "seats_offered": s["capacity"] if live and s["registration_required"] and s["status"] != "draft" else 0,
    }
    return dims[s["session_id"]], counts, {}


def _registration_item(dims: dict[str, dict[str, list[str]]], unknown: dict[str, list[str]], taken: set[str], r: dict) -> Item:
    confirmed = r["status"] == "confirmed"
    party = r["party_size"]
    counts = {
        "registrations": int(confirmed),
        "participants": party if confirmed else 0,
        "waitlisted": int(r["status"] == "waitlisted"),
        "attendance_base": party if confirmed and r["session_id"] in taken else 0,
        "attended": party if confirmed and r["attended"] else 0,
    }
    return dims.get(r["session_id"], unknown), counts, {}


def _delivery_item(seen: dict[tuple, dict[str, list[str]]], d: dict) -> Item:
    key = (d["channel"], d["language"], d["category"])
    dims = seen.get(key)
    if dims is None:
        dims = seen[key] = {"channel": [d["channel"]], "language": [d["language"]], "category": [d["category"]]}
    return dims, {d["outcome"]: 1}, {}


# ---------------------------------------------------------------- tables


def _order(keys: Iterable[str]) -> list[str]:
    return sorted(set(keys), key=lambda k: (k.startswith("_"), k))


def raw_table(spec: AreaSpec, items: list[Item], dimension: str) -> tuple[list[str], dict[str, dict]]:
    """Categories in order, and the rows by category (with the total under ``_total``), unsuppressed.
    Nobody changes what it returns, so ``Items`` can hand the same table to every caller."""
    if isinstance(items, Items):
        key = (id(spec), dimension)  # the specs are module constants: their ids do not change
        if key not in items.tables:
            items.tables[key] = _raw_table(spec, items, dimension)
        return items.tables[key]
    return _raw_table(spec, items, dimension)


def _raw_table(spec: AreaSpec, items: list[Item], dimension: str) -> tuple[list[str], dict[str, dict]]:
    counted = [m.id for m in spec.measures if m.kind in ("count", "amount")]
    rows: dict[str, dict] = defaultdict(lambda: {**{m: 0 for m in counted}, "_lead_times": []})
    for dims, counts, lists in items:
        for cat in [*dims[dimension], TOTAL]:
            row = rows[cat]
            for m, v in counts.items():
                row[m] = row.get(m, 0) + v
            for k, vs in lists.items():
                row.setdefault(k, []).extend(vs)  # in place: a new list per item was quadratic in the total row
    rows[TOTAL]  # exists even without items
    cats = _order(c for c in rows if c != TOTAL)
    out = {}
    for cat in [*cats, TOTAL]:
        row = dict(rows[cat])
        if spec.derive:
            row.update(spec.derive(row))
        row.pop("_lead_times", None)
        out[cat] = {m.id: row.get(m.id) for m in spec.measures}
    return cats, out


def suppressed_cells(spec: AreaSpec, cats: list[str], rows: dict[str, dict], threshold: int) -> set[tuple[str, str]]:
    values = {(r, m): (v or 0) for r, row in rows.items() for m, v in row.items()}
    kinds = {m.id: m.kind for m in spec.measures}
    count_cells = {c for c in values if kinds[c[1]] == "count"}
    depends = {(r, m.id): tuple((r, b) for b in m.depends) for r in rows for m in spec.measures if m.depends}
    groups = [
        Group((TOTAL, m.id), tuple((c, m.id) for c in cats), counts=m.kind == "count")
        for m in spec.measures
        if m.kind in ("count", "amount")
    ]
    groups += [
        Group((r, whole), tuple((r, p) for p in parts)) for r in rows for whole, parts in spec.identities
    ]
    return suppress(values, threshold, groups, count_cells, depends)


def table(model: ReadModel, area: str, dimension: str, edition_id: str | None, threshold: int | None, items: list[Item] | None = None,
          masks: "Masks | None" = None) -> dict:
    """One area by one dimension; ``threshold`` None: unsuppressed (analysts only). ``items``: the
    area's ``items_of`` when the caller already has them (raw_table does not change them);
    ``masks``: ``public_masks_of(model, threshold)`` when the caller has them. An edition's table
    is masked as part of everything published (services/reporting/published.py)."""
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
    return out


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
        "share_of_budget": None if (TOTAL, "requested_sek") in masked else _ratio(total["requested_sek"], budget),
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
        item = (_initiative_dims(i) | {"status": [i["status"]]}, {"submitted": 1}, {})
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
    """The masks of everything the public reads (services/reporting/published.py), made once per
    state of the model and threshold."""
    from services.reporting.published import public_masks

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


# ---------------------------------------------------------------- trends between editions

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
        by_edition = {area: items_by_edition(model, area, member) for area in ("initiatives", "participation", "reach", "money")}
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
