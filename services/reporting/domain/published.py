"""Everything the public reads, suppressed as one set of linked tables, pure.

Each edition's tables (every area by every dimension, with their totals), the trends between
editions, the budget against the edition, and the all-editions counts (all publishers and each
one) are published side by side, so a masked cell must not follow from subtracting one of them
from another: the all-editions total less one edition's total is the other editions' (the
issue's 12 − 10 = 2). So the masks are decided once over all of them (``suppress``), with:

- one cell for one figure wherever it is shown: an area's total is the same in each of its
  tables, a trend is its edition's total, the money area's approved initiatives are the
  initiatives area's `approved`, the budget's amounts are the money totals;
- the identities of each table (column totals, `submitted` = the four statuses in each row);
- the identities across tables: each all-editions figure is the sum of the editions' plus what
  belongs to no edition (not shown, but taken as known: a reader may well know that every
  initiative has an edition), and the all-publishers figure the sum of each publisher's. An all-editions margin gives way first (``prefers_whole``) so an
  edition's own figures are not hidden for the sake of a cross-edition sum.

Multi-valued dimensions (themes, districts, ...) are treated as if additive, which only masks
more. The masks depend on the model only: equal models give equal masks, whatever the order
their summaries came in (the rebuild compares them).
"""

from collections.abc import Hashable
from dataclasses import dataclass

from services.reporting.domain.initiative_items import FINAL_STATUSES
from services.reporting.domain.measures import TOTAL
from services.reporting.domain.model import ReadModel
from services.reporting.domain.suppression import Group, suppress
from services.reporting.domain.tables import AREAS, raw_table
from services.reporting.domain.trends import TREND_CELLS

Key = tuple[Hashable, ...]
ALL_DIMENSIONS = ("status", "theme", "organizer_kind", "origin")  # what GET /v1/figures/initiatives shows
IN_PROGRESS = "_in_progress"  # the all-editions statuses that are not final, summed (not shown by itself)


def cell(edition_id: str, area: str, dimension: str, category: str, measure: str) -> Key:
    """The one cell of a figure shown in an edition's table, whichever table shows it."""
    if area == "money" and measure == "initiatives":
        area, measure = "initiatives", "approved"  # the approved initiatives, counted once
    if category == TOTAL:
        return ("edition", edition_id, area, TOTAL, measure)
    return ("edition", edition_id, area, dimension, category, measure)


def all_cell(source: str | None, dimension: str, category: str) -> Key:
    """A cell of the all-editions initiative counts (``source`` None: every publisher)."""
    return ("all", source, TOTAL) if category == TOTAL else ("all", source, dimension, category)


@dataclass(frozen=True)
class Masks:
    """The masked cells of everything published, for the threshold they were made with."""

    threshold: int
    cells: frozenset[Key]

    def table(self, edition_id: str, area: str, dimension: str, rows: dict[str, dict]) -> set[tuple[str, str]]:
        return {(c, m) for c, row in rows.items() for m in row if cell(edition_id, area, dimension, c, m) in self.cells}

    def trend(self, edition_id: str, measure: str) -> bool:
        where = TREND_CELLS.get(measure)
        return where is not None and cell(edition_id, where[0], "", TOTAL, where[1]) in self.cells

    def all(self, source: str | None, dimension: str, category: str) -> bool:
        return all_cell(source, dimension, category) in self.cells


class _Linked:
    """The cells of everything published, as they are collected: values, identities (groups, in
    the order first added: the masks follow it), count cells, dependent cells, known cells."""

    def __init__(self) -> None:
        self.values: dict[Key, float] = {}
        self.groups: dict[tuple, Group] = {}  # by (whole, parts): a table shown twice is one identity
        self.counts: set[Key] = set()
        self.depends: dict[Key, tuple[Key, ...]] = {}
        self.known: set[Key] = set()

    def add(self, g: Group) -> None:
        self.groups.setdefault((g.whole, g.parts), g)


def public_masks(model: ReadModel, threshold: int, by_edition: dict, all_tables: dict) -> Masks:
    """The masks of every published figure. ``by_edition``: each area's items by edition;
    ``all_tables``: source (None: all) → dimension → (categories, {category: count}) of the
    all-editions counts (figures.all_edition_tables)."""
    linked = _Linked()
    editions = sorted(model.editions)
    for eid in editions:
        _add_edition(linked, eid, by_edition)
    _add_all_editions(linked, all_tables)
    _link_editions_to_all(linked, editions, all_tables.get(None, {}))
    cells = suppress(linked.values, threshold, linked.groups.values(), linked.counts, linked.depends, linked.known)
    return Masks(threshold, frozenset(cells))


def _add_edition(linked: _Linked, eid: str, by_edition: dict) -> None:
    """Every table of one edition: each area by each dimension, its totals and identities."""
    for area, spec in AREAS.items():
        items = by_edition[area].get(eid, [])
        for dim in spec.dimensions:
            cats, rows = raw_table(spec, items, dim)
            for c, row in rows.items():
                for m in spec.measures:
                    k = cell(eid, area, dim, c, m.id)
                    linked.values[k] = row[m.id] or 0
                    if m.kind == "count":
                        linked.counts.add(k)
                    if m.depends:
                        linked.depends[k] = tuple(cell(eid, area, dim, c, b) for b in m.depends)
            for m in spec.measures:
                if m.kind in ("count", "amount"):
                    linked.add(Group(cell(eid, area, dim, TOTAL, m.id), tuple(cell(eid, area, dim, c, m.id) for c in cats), counts=m.kind == "count"))
            for c in rows:
                for whole, parts in spec.identities:
                    linked.add(Group(cell(eid, area, dim, c, whole), tuple(cell(eid, area, dim, c, p) for p in parts)))


def _add_all_editions(linked: _Linked, all_tables: dict) -> None:
    """The all-editions counts of each publisher and of all, and all publishers = the sum of each one's."""
    sources = sorted(s for s in all_tables if s is not None)
    for source, tables in all_tables.items():
        for dim, (cats, rows) in tables.items():
            for c, v in rows.items():
                linked.values[all_cell(source, dim, c)] = v
                linked.counts.add(all_cell(source, dim, c))
            linked.add(Group(all_cell(source, dim, TOTAL), tuple(all_cell(source, dim, c) for c in cats)))
    everyone = all_tables.get(None, {})
    for dim, (cats, _) in everyone.items():
        for c in [*cats, TOTAL]:
            linked.add(Group(all_cell(None, dim, c), tuple(all_cell(s, dim, c) for s in sources)))
    if "status" in everyone:
        cats, rows = everyone["status"]
        open_ = [c for c in cats if c not in FINAL_STATUSES]
        linked.values[all_cell(None, "status", IN_PROGRESS)] = sum(rows[c] for c in open_)
        linked.counts.add(all_cell(None, "status", IN_PROGRESS))  # as if shown: total less the final statuses gives it
        linked.add(Group(all_cell(None, "status", IN_PROGRESS), tuple(all_cell(None, "status", c) for c in open_)))
        finals = tuple(all_cell(None, "status", c) for c in sorted(FINAL_STATUSES))
        linked.add(Group(all_cell(None, "status", TOTAL), (*finals, all_cell(None, "status", IN_PROGRESS))))
        for c in sorted(FINAL_STATUSES):
            linked.values.setdefault(all_cell(None, "status", c), 0)


def _link_editions_to_all(linked: _Linked, editions: list[str], everyone: dict) -> None:
    """Each all-editions figure = the sum of the editions' + what is in no edition (not shown, but
    taken as known: masking it would protect nothing)."""
    links = [(TOTAL, TOTAL, TOTAL, "submitted")]  # (all-editions dimension, its category, the editions' category, measure)
    links += [("status", s, TOTAL, s) for s in sorted(FINAL_STATUSES)] + [("status", IN_PROGRESS, TOTAL, "in_progress")]
    links += [(dim, c, c, "submitted") for dim in ("theme", "organizer_kind", "origin") if dim in everyone for c in everyone[dim][0]]
    for dim, c, theirs, measure in links:
        whole = all_cell(None, dim, c)
        if whole not in linked.values:
            continue
        parts = [cell(eid, "initiatives", dim, theirs, measure) for eid in editions]
        rest = ("outside_editions", dim, c)
        linked.values[rest] = max(0, linked.values[whole] - sum(linked.values.get(p, 0) for p in parts))  # overlaps: as if additive
        linked.known.add(rest)
        linked.add(Group(whole, (*parts, rest), prefers_whole=True))
