"""Small-number suppression: no masked value can be recomputed from the totals."""

from hypothesis import given, settings
from hypothesis import strategies as st

from services.reporting.domain.measures import TOTAL
from services.reporting.domain.suppression import Group, suppress
from services.reporting.domain.tables import AREAS, raw_table, suppressed_cells

T = 5


def _column_table(values: list[int]) -> tuple[dict, list[Group], set]:
    cells = {(f"c{i}", "n"): v for i, v in enumerate(values)}
    cells[(TOTAL, "n")] = sum(values)
    group = Group((TOTAL, "n"), tuple((f"c{i}", "n") for i in range(len(values))))
    return cells, [group], set(cells)


def _safe(group: Group, values: dict, masked: set, threshold: int) -> bool:
    hidden = [p for p in group.parts if p in masked]
    if group.whole in masked:
        return not group.parts or bool(hidden)
    if not hidden:
        return True
    # total - sum(visible) is the sum of the hidden parts: never one of them, never a small number.
    return len(hidden) >= 2 and (not group.counts or sum(values[p] for p in hidden) >= threshold)


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=12), st.integers(min_value=2, max_value=10))
def test_a_column_never_gives_away_a_masked_cell(values, threshold):
    cells, groups, counts = _column_table(values)
    masked = suppress(cells, threshold, groups, counts)
    assert all(c in masked for c, v in cells.items() if 0 < v < threshold), "every small count is masked"
    assert all(_safe(g, cells, masked, threshold) for g in groups)
    visible = [v for c, v in cells.items() if c[0] != TOTAL and c not in masked]
    if (TOTAL, "n") not in masked:
        hidden = [cells[c] for c in masked if c[0] != TOTAL]
        assert cells[(TOTAL, "n")] - sum(visible) == sum(hidden)
        assert len(hidden) != 1


@st.composite
def two_way(draw):
    """Rows with a whole (= the sum of its parts) and column totals: both identities at once."""
    n_rows = draw(st.integers(1, 6))
    n_parts = draw(st.integers(1, 4))
    parts = [[draw(st.integers(0, 25)) for _ in range(n_parts)] for _ in range(n_rows)]
    return parts


@settings(max_examples=300)
@given(two_way(), st.integers(min_value=2, max_value=8))
def test_rows_and_columns_are_safe_together(parts, threshold):
    rows = [f"r{i}" for i in range(len(parts))] + [TOTAL]
    cols = [f"p{j}" for j in range(len(parts[0]))]
    values: dict = {}
    for i, row in enumerate(parts):
        for j, v in enumerate(row):
            values[(f"r{i}", cols[j])] = v
        values[(f"r{i}", "whole")] = sum(row)
    for c in [*cols, "whole"]:
        values[(TOTAL, c)] = sum(values[(r, c)] for r in rows[:-1])
    groups = [Group((TOTAL, c), tuple((r, c) for r in rows[:-1])) for c in [*cols, "whole"]]
    groups += [Group((r, "whole"), tuple((r, c) for c in cols)) for r in rows]
    masked = suppress(values, threshold, groups, set(values))
    assert all(c in masked for c, v in values.items() if 0 < v < threshold)
    assert all(_safe(g, values, masked, threshold) for g in groups)


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 500_000)), min_size=1, max_size=8))
def test_amounts_follow_their_counts_and_are_not_recomputable(rows):
    values, counts, depends = {}, set(), {}
    for i, (n, sek) in enumerate(rows):
        values[(f"r{i}", "n")], values[(f"r{i}", "sek")] = n, sek
        counts.add((f"r{i}", "n"))
        depends[(f"r{i}", "sek")] = ((f"r{i}", "n"),)
    values[(TOTAL, "n")] = sum(n for n, _ in rows)
    values[(TOTAL, "sek")] = sum(s for _, s in rows)
    counts.add((TOTAL, "n"))
    depends[(TOTAL, "sek")] = ((TOTAL, "n"),)
    groups = [
        Group((TOTAL, "n"), tuple((f"r{i}", "n") for i in range(len(rows)))),
        Group((TOTAL, "sek"), tuple((f"r{i}", "sek") for i in range(len(rows))), counts=False),
    ]
    masked = suppress(values, T, groups, counts, depends)
    for i, (n, _) in enumerate(rows):
        if (f"r{i}", "n") in masked:
            assert (f"r{i}", "sek") in masked, "a masked count hides its amount"
    assert all(_safe(g, values, masked, T) for g in groups)


def test_zero_stays_visible_and_large_counts_are_untouched():
    cells, groups, counts = _column_table([0, 12, 30])
    assert suppress(cells, T, groups, counts) == set()


def test_one_small_cell_takes_the_next_smallest_with_it():
    cells, groups, counts = _column_table([3, 7, 30, 0])
    assert suppress(cells, T, groups, counts) == {("c0", "n"), ("c1", "n")}


def test_the_tables_of_an_area_satisfy_every_identity():
    from services.reporting.domain.initiative_items import initiative_dims  # noqa: F401 (the area's shape is what matters)

    spec = AREAS["initiatives"]
    items = []
    for k, status in enumerate(["approved"] * 6 + ["rejected"] * 2 + ["withdrawn"] + ["submitted"] * 3):
        dims = {"theme": ["democracy" if k % 3 else "inclusion"]}
        counts = {
            "submitted": 1,
            "approved": int(status == "approved"),
            "rejected": int(status == "rejected"),
            "withdrawn": int(status == "withdrawn"),
            "in_progress": int(status == "submitted"),
            "reviewed": 0,
        }
        items.append((dims, counts, {}))
    cats, rows = raw_table(spec, items, "theme")
    masked = suppressed_cells(spec, cats, rows, T)
    values = {(r, m): v or 0 for r, row in rows.items() for m, v in row.items()}
    groups = [Group((TOTAL, m), tuple((c, m) for c in cats)) for m in ("submitted", "approved", "rejected", "withdrawn", "in_progress")]
    groups += [Group((r, "submitted"), tuple((r, p) for p in ("approved", "rejected", "withdrawn", "in_progress"))) for r in rows]
    assert all(_safe(g, values, masked, T) for g in groups)
    assert (TOTAL, "submitted") not in masked and rows[TOTAL]["submitted"] == 12
