"""Complementary suppression across linked tables: what is published together (each edition's
table with its total, the all-editions margins and grand total) never gives a masked cell away.

The attacker here knows every identity between the published figures — a table's total is the
sum of its cells, the all-editions figure the sum of the editions' — and combines them in every
way: every difference of totals and margins, every sum of cells against a total, and any chain
of those. A masked cell is recovered exactly when some combination of the identities leaves it
as the only unknown; that is decided here by exact elimination over the rationals (independent
of how the service computes its masks).
"""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from services.reporting.suppression import Group, suppress

T = 5
TOTAL = "_total"
ALL = "all"


def linked(counts: list[list[int]]) -> tuple[dict, list[Group]]:
    """Editions × categories, each edition's total, the all-editions margin of each category and
    the grand total — the shape of an edition's table published next to the all-editions one."""
    values: dict = {}
    editions = [f"e{i}" for i in range(len(counts))]
    cats = [f"c{j}" for j in range(len(counts[0]))]
    for e, row in zip(editions, counts, strict=True):
        for c, v in zip(cats, row, strict=True):
            values[(e, c)] = v
        values[(e, TOTAL)] = sum(row)
    for c in [*cats, TOTAL]:
        values[(ALL, c)] = sum(values[(e, c)] for e in editions)
    groups = [Group((e, TOTAL), tuple((e, c) for c in cats)) for e in [*editions, ALL]]
    groups += [Group((ALL, c), tuple((e, c) for e in editions)) for c in [*cats, TOTAL]]
    return values, groups


def recoverable(values: dict, groups: list[Group], masked: set) -> set:
    """The masked cells some combination of the identities determines: cell x is determined when
    the unit vector of x lies in the row space of the identities restricted to the masked cells."""
    unknowns = sorted(masked, key=repr)
    col = {c: i for i, c in enumerate(unknowns)}
    rows = []
    for g in groups:
        row = [Fraction(0)] * len(unknowns)
        for cell, sign in [(g.whole, 1), *((p, -1) for p in g.parts)]:
            if cell in col:
                row[col[cell]] += sign
        if any(row):
            rows.append(row)
    basis = _rref(rows, len(unknowns))
    found = set()
    for j, cell in enumerate(unknowns):
        target = [Fraction(int(i == j)) for i in range(len(unknowns))]
        if _reduce(target, basis) == [0] * len(unknowns):
            found.add(cell)
    return found


def _rref(rows: list[list[Fraction]], n: int) -> list[tuple[int, list[Fraction]]]:
    basis: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        row = _reduce(row, basis)
        pivot = next((i for i in range(n) if row[i] != 0), None)
        if pivot is None:
            continue
        row = [x / row[pivot] for x in row]
        basis = [(p, [a - b[pivot] * r for a, r in zip(b, row, strict=True)] if b[pivot] else b) for p, b in basis]
        basis.append((pivot, row))
    return basis


def _reduce(row: list[Fraction], basis: list[tuple[int, list[Fraction]]]) -> list[Fraction]:
    row = list(row)
    for pivot, b in basis:
        if row[pivot] != 0:
            f = row[pivot]
            row = [a - f * x for a, x in zip(row, b, strict=True)]
    return row


def differences(values: dict, groups: list[Group], masked: set) -> list[tuple]:
    """Every difference of two published totals or margins, and every published total less the
    published cells it sums: the single-unknown equations an analyst with a calculator would try."""
    out = []
    published = {c: v for c, v in values.items() if c not in masked}
    for g in groups:
        if g.whole in published:
            hidden = [p for p in g.parts if p in masked]
            if len(hidden) == 1:
                out.append((g.whole, hidden[0]))
    margins = [c for c in published if c[1] == TOTAL or c[0] == ALL]
    for a in margins:
        for b in margins:
            for g in groups:
                if g.whole == a and b in g.parts:
                    rest = [p for p in g.parts if p != b]
                    if len(rest) == 1 and rest[0] in masked:
                        out.append((a, b, rest[0]))
    return out


tables = st.integers(1, 4).flatmap(
    lambda n_cats: st.lists(st.lists(st.integers(0, 30), min_size=n_cats, max_size=n_cats), min_size=1, max_size=4)
)


@settings(max_examples=400, deadline=None)
@given(tables, st.integers(min_value=2, max_value=8))
def test_no_masked_cell_follows_from_any_combination_of_published_totals_and_margins(counts, threshold):
    values, groups = linked(counts)
    masked = suppress(values, threshold, groups, set(values))
    assert all(c in masked for c, v in values.items() if 0 < v < threshold), "every small count is masked"
    assert differences(values, groups, masked) == [], "a difference of published figures leaves one masked cell"
    assert recoverable(values, groups, masked) == set(), "some chain of identities gives a masked cell exactly"
    for g in groups:  # and what is left hidden in a published total is never a small number
        hidden = [values[p] for p in g.parts if p in masked]
        if g.whole not in masked and hidden:
            assert sum(hidden) >= threshold


def test_the_issue_example_twelve_less_ten_is_not_two():
    """Edition A has 10 initiatives, edition B 2 (masked): the all-editions 12 must not stand
    next to A's 10."""
    values, groups = linked([[10], [2]])
    masked = suppress(values, T, groups, set(values))
    assert ("e1", TOTAL) in masked
    assert ("e0", TOTAL) in masked or (ALL, TOTAL) in masked
    assert recoverable(values, groups, masked) == set()


def test_two_bridged_cycles_are_caught_beyond_single_identities():
    """Every row and column with two masked cells is not enough: two 2×2 blocks joined by one
    cell let (row totals) − (column totals) give the joining cell. Four editions, four categories."""
    counts = [[2, 3, 4, 50], [3, 2, 60, 70], [80, 90, 2, 3], [60, 70, 3, 2]]
    values, groups = linked(counts)
    masked = suppress(values, T, groups, set(values))
    assert recoverable(values, groups, masked) == set()
