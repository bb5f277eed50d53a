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

from services.reporting.domain.suppression import Group, suppress

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


# ---------------------------------------------------------------- the service's own figures

STATUSES = ("submitted", "in_review", "approved", "rejected", "withdrawn")
FINAL = ("approved", "rejected", "withdrawn")
MEASURES = ("submitted", "approved", "rejected", "withdrawn", "in_progress")
DIMS = {"theme": "by_theme", "origin": "by_origin", "organizer_kind": "by_organizer_kind"}

initiatives = st.lists(
    st.tuples(st.sampled_from((2024, 2025, 2026)), st.sampled_from(("democracy", "inclusion", "participation")), st.sampled_from(("new", "existing")),
              st.sampled_from(("administration", "civil_society")), st.sampled_from(STATUSES), st.sampled_from(("s1", "s2"))),
    min_size=1, max_size=40,
)


def _model(rows):
    from services.reporting.domain.model import ReadModel
    from services.reporting.domain.summaries import edition_summary, initiative_summary

    m = ReadModel()
    for year in (2024, 2025, 2026):
        m.put("editions", edition_summary({"edition_id": f"e{year}", "version": 1, "year": year, "starts_on": f"{year}-10-06",
                                           "ends_on": f"{year}-10-19", "budget_sek": 1, "status": "planning", "name": {"sv": str(year)}}))
    for n, (year, theme, origin, kind, status, source) in enumerate(rows):
        m.put("initiatives", initiative_summary({
            "initiative_id": f"i{n}", "source": source, "version": 1, "status": status, "received_at": f"{year}-03-01T10:00:00+00:00",
            "content": {"organizer": {"kind": kind, "name": f"o{n}"}, "themes": [theme], "origin": origin},
        }))
    return m


def _published(m, threshold):
    """What the public reads, as (cell, value or None) with the identities between the cells
    that hold for these initiatives (one theme, origin and kind each, one edition each)."""
    from services.reporting.domain.figures import area_figures, initiative_counts
    from services.reporting.domain.trends import trends

    shown: dict = {}
    identities: list[Group] = []
    editions = sorted(m.editions)
    for e in editions:
        tables = area_figures(m, e, "initiatives", threshold)["tables"]
        for dim in DIMS:
            t = tables[dim]
            cats = [r["category"] for r in t["rows"]]
            for r in [*t["rows"], {**t["total"], "category": TOTAL}]:
                for k in MEASURES:
                    cell = (e, TOTAL, k) if r["category"] == TOTAL else (e, dim, r["category"], k)
                    shown[cell] = r["values"][k]  # a total shown in several tables is one cell
            for k in MEASURES:
                identities.append(Group((e, TOTAL, k), tuple((e, dim, c, k) for c in cats)))
            for c in [*cats, TOTAL]:
                row = (e, TOTAL) if c == TOTAL else (e, dim, c)
                identities.append(Group((*row, "submitted"), tuple((*row, k) for k in MEASURES[1:])))
    for row in trends(m, threshold)["rows"]:
        for k in ("submitted", "approved"):
            shown[("trend", row["category"], k)] = row["values"][k]
            identities.append(Group(("trend", row["category"], k), ((row["category"], TOTAL, k),)))
    for source in (None, "s1", "s2"):
        counts = initiative_counts(m, source, threshold)
        shown[(ALL, source, TOTAL)] = counts["total"]
        for dim, key in [*DIMS.items(), ("status", "by_status")]:
            for c, v in counts[key].items():
                shown[(ALL, source, dim, c)] = v
            identities.append(Group((ALL, source, TOTAL), tuple((ALL, source, dim, c) for c in counts[key])))
    everyone = initiative_counts(m, None, None)
    for dim, key in DIMS.items():  # all editions = the sum of the editions; all publishers = the sum of each one
        for c in everyone[key]:
            identities.append(Group((ALL, None, dim, c), tuple((e, dim, c, "submitted") for e in editions)))
            identities.append(Group((ALL, None, dim, c), ((ALL, "s1", dim, c), (ALL, "s2", dim, c))))
    identities.append(Group((ALL, None, TOTAL), tuple((e, TOTAL, "submitted") for e in editions)))
    identities.append(Group((ALL, None, TOTAL), ((ALL, "s1", TOTAL), (ALL, "s2", TOTAL))))
    for c in everyone["by_status"]:
        identities.append(Group((ALL, None, "status", c), ((ALL, "s1", "status", c), (ALL, "s2", "status", c))))
        if c in FINAL:
            identities.append(Group((ALL, None, "status", c), tuple((e, TOTAL, c) for e in editions)))
    open_ = [(ALL, None, "status", c) for c in everyone["by_status"] if c not in FINAL]
    identities.append(Group(("open",), tuple(open_)))  # the open statuses' sum: the editions' in_progress
    identities.append(Group(("open",), tuple((e, TOTAL, "in_progress") for e in editions)))
    shown[("open",)] = None  # not shown by itself
    return shown, identities


@settings(max_examples=150, deadline=None)
@given(initiatives, st.integers(min_value=3, max_value=6))
def test_the_services_published_figures_give_no_masked_count_away(rows, threshold):
    """Random initiatives over three editions and two publishers: every figure the public reads
    (each edition's tables and totals, the trends, the all-editions counts for everyone and for
    each publisher), combined by every identity between them, leaves every masked count unknown."""
    m = _model(rows)
    shown, identities = _published(m, threshold)
    masked = {c for c, v in shown.items() if v is None and c != ("open",)}
    for g in identities:  # cells no table shows (a category an edition lacks) are 0, and known
        for c in (g.whole, *g.parts):
            shown.setdefault(c, 0)
    unknown = {c for c, v in shown.items() if v is None}
    found = recoverable(shown, identities, unknown) - {("open",)}
    assert found == set(), f"recoverable: {sorted(found, key=repr)[:5]}"
    assert masked or all(v is None or v == 0 or v >= threshold for v in shown.values())
