"""Small-number suppression, pure: primary masking of small counts, and complementary
(secondary) masking across every table published together, so no masked value can be
recomputed from what is shown, as statistical offices do.

A set of linked tables is a set of cells and the linear identities between them ("groups": a
whole and its parts, e.g. a column total and the column's cells, a row's `submitted` and its
statuses, or the all-editions figure and each edition's). A cell shown in several tables is one
cell, so it is masked everywhere or nowhere.

Rules (docs/reporting.md explains them for analysts):
1. Primary: a count cell with 1 <= value < threshold is masked. Zero stays visible — a zero
   tells nothing about any person — and a suppressed cell may still be a secondary zero.
2. Amounts (SEK) and derived figures (rates, medians) are masked when a count they rest on is
   masked: a budget of one or two organisers identifies them as much as the count would.
3. Secondary, until every group is safe: where a group's whole is visible, its masked parts
   must be none, or at least two whose sum is at least the threshold (for counts), so
   `whole - sum(visible parts)` never gives one masked value nor a small sum; where the whole
   is masked, not all its parts may be visible. The next cell masked is the smallest visible
   non-zero part (the least information lost), else the smallest part, else the whole — or the
   whole first for a group that ``prefers_whole`` (an all-editions margin, rather than a large
   edition's own figure).
4. Audit, until it finds nothing: no masked cell may follow from any combination of the
   identities that hold exactly (differences of totals, sums of margins, chains of them — e.g. two blocks of
   masked cells joined by one cell give that cell as row totals less column totals). A cell is
   determined when its unit vector lies in the row space of the identities restricted to the
   masked cells; each one found gets a neighbour in one of its groups masked, and rules 2–3 run
   again. Nonnegativity is not used beyond rule 3's sums. Cells the reader knows anyway (a
   category a table does not list, the total of an empty table, what the caller says) are never
   masked, and a zero masked on the way that the identities give anyway is shown after all.

Deterministic for a given order of groups: equal inputs give equal masks (the rebuild compares).
"""

from collections import defaultdict, deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np

Cell = Hashable


@dataclass(frozen=True)
class Group:
    whole: Cell
    parts: tuple[Cell, ...]
    counts: bool = True  # counts get the threshold-sum rule; amounts only the "not one" rule
    prefers_whole: bool = False  # mask the whole, not a part, when the group needs one more


def suppress(
    values: dict[Cell, float],
    threshold: int,
    groups: Iterable[Group],
    count_cells: set[Cell],
    depends: dict[Cell, tuple[Cell, ...]] | None = None,
    known: Iterable[Cell] = (),
) -> set[Cell]:
    """The cells to mask. ``count_cells`` get primary suppression; ``depends[c]`` are the count
    cells whose masking masks ``c`` (amounts and derived figures); ``known`` cells the reader
    knows anyway (never masked: masking them would protect nothing), as are the whole of a group
    without parts (a total of no cells is 0) and a cell of a group missing from ``values`` (a
    category a table does not list: 0 by its absence)."""
    groups = list(groups)
    known = set(known) | {g.whole for g in groups if not g.parts}
    known |= {c for g in groups for c in (g.whole, *g.parts) if c not in values}
    state = _State(values, threshold, groups, depends or {}, known)
    for c in sorted((c for c in count_cells if 0 < values.get(c, 0) < threshold), key=repr):
        state.mask(c)
    fixed: set[Cell] = set()  # determined by the identities with nothing shown: masking more cannot help
    while True:
        state.settle()
        determined = _determined(state.groups, state.values, state.masked)
        found = [c for c in determined if c not in fixed]
        if not found:
            break
        widened: set[int] = set()  # one new mask per group a round: the next audit sees what it did
        for c in found:
            if widened.isdisjoint(state.of_cell[c]):
                done = state.widen(c)
                if done is None:
                    fixed.add(c)
                else:
                    widened.update(done)
    # A zero masked on the way that the identities give anyway hides nothing: shown, it tells no more.
    return state.masked - {c for c in determined if not values.get(c, 0)}


class _State:
    def __init__(self, values, threshold, groups, depends, known):
        self.values, self.threshold, self.groups, self.known = values, threshold, groups, known
        self.masked: set[Cell] = set()
        self.of_cell: dict[Cell, list[int]] = defaultdict(list)
        for i, g in enumerate(groups):
            for c in (g.whole, *g.parts):
                self.of_cell[c].append(i)
        self.dependents: dict[Cell, list[Cell]] = defaultdict(list)
        for cell, bases in depends.items():
            for b in bases:
                self.dependents[b].append(cell)
        self.queue: deque[int] = deque(range(len(groups)))
        self.queued = set(self.queue)

    def mask(self, cell: Cell) -> None:
        todo = [cell]
        while todo:
            c = todo.pop()
            if c in self.masked or c in self.known:
                continue
            self.masked.add(c)
            todo += self.dependents.get(c, ())
            for i in self.of_cell.get(c, ()):
                if i not in self.queued:
                    self.queued.add(i)
                    self.queue.append(i)

    def settle(self) -> None:
        """Rules 2 and 3 to a fixed point (each group looked at again when one of its cells is masked)."""
        while self.queue:
            i = self.queue.popleft()
            self.queued.discard(i)
            pick = _needs(self.groups[i], self.values, self.masked, self.threshold, self.known)
            if pick is not None:
                self.mask(pick)

    def widen(self, cell: Cell) -> set[int] | None:
        """Mask one more cell in the group nearest ``cell`` (which the audit found determined)
        that still shows one, walking the groups through masked cells; the groups of the cell
        masked, or None if no group shows one (the identities alone fix it)."""
        seen_cells, seen_groups, todo = {cell}, set(), deque([cell])
        while todo:
            for i in self.of_cell[todo.popleft()]:
                if i in seen_groups:
                    continue
                seen_groups.add(i)
                g = self.groups[i]
                visible = [p for p in g.parts if p not in self.masked and p not in self.known]
                whole = g.whole not in self.masked and g.whole not in self.known
                pick = g.whole if whole and (g.prefers_whole or not visible) else _smallest(visible, self.values) if visible else None
                if pick is not None:
                    self.mask(pick)
                    return set(self.of_cell[pick])
                for c in (g.whole, *g.parts):
                    if c not in seen_cells:
                        seen_cells.add(c)
                        todo.append(c)
        return None


def _needs(g: Group, values: dict[Cell, float], masked: set[Cell], threshold: int, known: set[Cell]) -> Cell | None:
    """The next cell to mask so this group is safe, or None if it is (or if nothing here can be
    masked: the audit then looks further)."""
    hidden = [p for p in g.parts if p in masked]
    visible = [p for p in g.parts if p not in masked and p not in known]
    if g.whole in masked:
        if g.parts and not hidden and visible:
            return _smallest(visible, values)
        return None
    if not hidden:
        return None
    unsafe = len(hidden) == 1 or (g.counts and sum(values.get(p, 0) for p in hidden) < threshold)
    if not unsafe:
        return None
    if (g.prefers_whole or not visible) and g.whole not in known:
        return g.whole
    return _smallest(visible, values) if visible else None


def _smallest(cells: list[Cell], values: dict[Cell, float]) -> Cell:
    nonzero = [c for c in cells if values.get(c, 0) > 0]
    pool = nonzero or cells
    return min(pool, key=lambda c: (values.get(c, 0), pool.index(c)))


def _determined(groups: list[Group], values: dict[Cell, float], masked: set[Cell]) -> list[Cell]:
    """The masked cells that some linear combination of the groups determines, in the
    groups' order. Only identities that hold are combined: a multi-valued dimension (an
    initiative under two themes) has cells adding up to more than its total, so nobody can
    solve with it — rule 3 still treats it as if additive. Solved per connected part of the
    masked cells, so each system stays small."""
    touching = [
        g for g in groups
        if (g.whole in masked or any(p in masked for p in g.parts))
        and abs(values.get(g.whole, 0) - sum(values.get(p, 0) for p in g.parts)) < 1e-6
    ]
    parent: dict[Cell, Cell] = {}

    def root(c: Cell) -> Cell:
        while parent.setdefault(c, c) != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for g in touching:
        cells = [c for c in (g.whole, *g.parts) if c in masked]
        for c in cells[1:]:
            parent[root(c)] = root(cells[0])
    parts: dict[Cell, list[Group]] = defaultdict(list)
    for g in touching:
        first = next(c for c in (g.whole, *g.parts) if c in masked)
        parts[root(first)].append(g)
    found: list[Cell] = []
    for part in parts.values():
        cells = list(dict.fromkeys(c for g in part for c in (g.whole, *g.parts) if c in masked))
        column = {c: j for j, c in enumerate(cells)}
        a = np.zeros((len(part), len(cells)))
        for i, g in enumerate(part):
            if g.whole in column:
                a[i, column[g.whole]] += 1.0
            for p in g.parts:
                if p in column:
                    a[i, column[p]] -= 1.0
        _, s, vt = np.linalg.svd(a, full_matrices=True)
        rank = int((s > 1e-9 * max(1.0, s[0] if len(s) else 1.0)).sum())
        free = vt[rank:]  # the directions the masked cells may move in without changing what is shown
        moving = np.abs(free).max(axis=0) > 1e-9 if len(free) else np.zeros(len(cells), dtype=bool)
        found += [c for c, m in zip(cells, moving, strict=True) if not m]
    return found
