"""The areas' tables, pure: each area's items grouped by a dimension, and their small-number suppression.

Every function here takes the read model (and settings such as the threshold) and returns
plain JSON; no I/O, no clock.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from functools import partial
from typing import Any

from services.reporting.domain.follow_up import FOLLOW_UP, follow_up_counted, follow_up_key
from services.reporting.domain.initiative_items import INITIATIVES, MONEY, initiative_editions, initiative_item, money_item
from services.reporting.domain.measures import TOTAL, AreaSpec, Item, UnknownArea, UnknownDimension
from services.reporting.domain.model import ReadModel
from services.reporting.domain.reach_items import REACH, delivery_item
from services.reporting.domain.session_items import PARTICIPATION, registration_item, session_dims, session_item
from services.reporting.domain.suppression import Group, suppress

AREAS: dict[str, AreaSpec] = {"initiatives": INITIATIVES, "participation": PARTICIPATION, "reach": REACH, "money": MONEY, "follow_up": FOLLOW_UP}


def check_area(area: str, dimension: str | None = None) -> AreaSpec:
    spec = AREAS.get(area)
    if spec is None:
        raise UnknownArea(area)
    if dimension is not None and dimension not in spec.dimensions:
        raise UnknownDimension(dimension)
    return spec


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
    elif area == "follow_up":
        for editions, make, f in follow_up_counted(model):
            yield editions, follow_up_key(f), make, f


def _counted(model: ReadModel, area: str, member: dict[str, set[str]] | None) -> Iterator[tuple[Collection[str | None], Callable[[Any], Item], Any]]:
    """(the editions it counts in, how to make its item, the summary) of everything an area counts,
    in the model's order; the item is made only by a caller that takes it."""
    if area in ("initiatives", "money"):
        member = initiative_editions(model) if member is None else member
        make = initiative_item if area == "initiatives" else money_item
        for i in model.initiatives.values():
            if area == "initiatives" or i["status"] == "approved":
                yield member.get(i["initiative_id"], ()), make, i
    elif area == "participation":
        taken = {r["session_id"] for r in model.registrations.values() if r["attended"]}
        # One session's dimension values once, for it and all its registrations.
        dims = {sid: session_dims(s) for sid, s in model.sessions.items()}
        make_session = partial(session_item, dims)
        for s in model.sessions.values():
            yield (s["edition_id"],), make_session, s
        make_registration = partial(registration_item, dims, session_dims(None), taken)
        for r in model.registrations.values():
            yield (r["edition_id"],), make_registration, r
    elif area == "reach":
        make_delivery = partial(delivery_item, {})
        for d in model.deliveries.values():
            yield (d.get("edition_id"),), make_delivery, d
    elif area == "follow_up":
        yield from follow_up_counted(model)


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
