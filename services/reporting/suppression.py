"""Small-number suppression, pure: primary masking of small counts, secondary masking so no
masked value can be recomputed from the totals, as statistical offices do.

A table is a set of cells and the linear identities between them ("groups": a whole and its
parts, e.g. a column total and the column's cells, or a row's `submitted` and its statuses).

Rules (docs/reporting.md explains them for analysts):
1. Primary: a count cell with 1 <= value < threshold is masked. Zero stays visible — a zero
   tells nothing about any person — and a suppressed cell may still be a secondary zero.
2. Amounts (SEK) and derived figures (rates, medians) are masked when a count they rest on is
   masked: a budget of one or two organisers identifies them as much as the count would.
3. Secondary, until every group is safe: where a group's whole is visible, its masked parts
   must be none, or at least two whose sum is at least the threshold (for counts), so
   `whole - sum(visible parts)` never gives one masked value nor a small sum; where the whole
   is masked, not all its parts may be visible. The next cell masked is the smallest visible
   non-zero part (the least information lost), else the smallest part, else the whole.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

Cell = Hashable


@dataclass(frozen=True)
class Group:
    whole: Cell
    parts: tuple[Cell, ...]
    counts: bool = True  # counts get the threshold-sum rule; amounts only the "not one" rule


def suppress(
    values: dict[Cell, float],
    threshold: int,
    groups: Iterable[Group],
    count_cells: set[Cell],
    depends: dict[Cell, tuple[Cell, ...]] | None = None,
) -> set[Cell]:
    """The cells to mask. ``count_cells`` get primary suppression; ``depends[c]`` are the count
    cells whose masking masks ``c`` (amounts and derived figures)."""
    groups = list(groups)
    depends = depends or {}
    masked = {c for c in count_cells if 0 < values.get(c, 0) < threshold}
    changed = True
    while changed:
        changed = False
        for cell, bases in depends.items():
            if cell not in masked and any(b in masked for b in bases):
                masked.add(cell)
                changed = True
        for g in groups:
            pick = _needs(g, values, masked, threshold)
            if pick is not None:
                masked.add(pick)
                changed = True
    return masked


def _needs(g: Group, values: dict[Cell, float], masked: set[Cell], threshold: int) -> Cell | None:
    """The next cell to mask so this group is safe, or None if it is."""
    hidden = [p for p in g.parts if p in masked]
    visible = [p for p in g.parts if p not in masked]
    if g.whole in masked:
        if g.parts and not hidden:
            return _smallest(visible, values)
        return None
    if not hidden:
        return None
    unsafe = len(hidden) == 1 or (g.counts and sum(values.get(p, 0) for p in hidden) < threshold)
    if not unsafe:
        return None
    return _smallest(visible, values) if visible else g.whole


def _smallest(cells: list[Cell], values: dict[Cell, float]) -> Cell:
    nonzero = [c for c in cells if values.get(c, 0) > 0]
    pool = nonzero or cells
    return min(pool, key=lambda c: (values.get(c, 0), pool.index(c)))
