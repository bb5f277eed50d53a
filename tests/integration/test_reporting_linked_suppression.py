"""Issue 24, point 4, through the real service: what the public reads together (all-editions
counts, each edition's tables, the trends, the exports) never lets a masked count be recovered
by subtracting one published figure from another — the issue's 12 − 10 = 2."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from shared.envelope import new_event
from shared.events.initiatives import InitiativeRegisteredV1
from shared.events.scheduling import EditionPlannedV1
from tests.platform import Platform, as_role, eventually

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
BIG, SMALL = "om-2025", "om-2026"  # ten initiatives, and two


@pytest.fixture(scope="module")
async def reporting(infra):
    async with Platform.start(infra, f"rl{uuid.uuid4().hex[:8]}", reporting=(create_app, ReportingSettings)) as p:
        yield p


def planned(edition_id: str, year: int):
    data = EditionPlannedV1(
        edition_id=edition_id, version=1, name={"sv": f"Öppna Malmö {year}", "en": f"Open Malmö {year}"}, year=year,
        starts_on=f"{year}-10-06", ends_on=f"{year}-10-19", budget_sek=3_780_000, status="planning",
    )
    return new_event(data, source="urn:malmo:oppna:scheduling", subject=edition_id, time=T0)


def registered(n: int, year: int):
    state = {
        "initiative_id": f"ini-{n}", "source": "urn:malmo:source:org", "external_id": f"X-{n}", "revision": 1, "version": 1,
        "status": "submitted", "stamped": False,
        "content": {
            "title": {"sv": f"Initiativ {n}"}, "summary": {"sv": "Sammanfattning."},
            "organizer": {"kind": "civil_society", "name": f"Förening {n}"},
            "themes": ["democracy"], "origin": "new", "districts": ["rosengard"], "languages": ["sv"], "target_groups": ["youth"],
            "period": {"start": f"{year}-10-07", "end": f"{year}-10-08"},
            "budget": {"requested_sek": 10_000, "own_funding_sek": 0},
        },
        "received_at": (T0 + timedelta(days=n)).isoformat(), "updated_at": (T0 + timedelta(days=n)).isoformat(),
    }
    data = InitiativeRegisteredV1.model_validate(state)
    return new_event(data, source="urn:malmo:oppna:registry", subject=data.initiative_id, time=T0)


@pytest.fixture(scope="module")
async def two_editions(reporting):
    for eid, year in ((BIG, 2025), (SMALL, 2026)):
        e = planned(eid, year)
        await reporting.kafka.send("scheduling.sessions.v1", e.to_bytes(), key=e.subject)
    for n in range(12):
        e = registered(n, 2025 if n < 10 else 2026)
        await reporting.kafka.send("registry.initiatives.v1", e.to_bytes(), key=e.subject)
    http = reporting.http["reporting"]

    async def counted():
        r = await http.get("/v1/figures/initiatives", headers=as_role(Role.analyst))
        return r.status_code == 200 and r.json()["total"] == 12

    await eventually(counted, timeout=60, what="reporting to count twelve initiatives")


async def published_totals(http) -> dict[str, int | None]:
    """Every published count of submitted initiatives that is a total of one edition or of all:
    the all-editions figure, each edition's table totals, trends and CSV totals."""
    out: dict[str, int | None] = {}
    out["all editions"] = (await http.get("/v1/figures/initiatives")).json()["total"]
    for eid in (BIG, SMALL):
        tables = (await http.get(f"/v1/editions/{eid}/figures/initiatives")).json()["tables"]
        for dim, t in tables.items():
            out[f"{eid} {dim} total"] = t["total"]["values"]["submitted"]
        r = await http.get(f"/v1/editions/{eid}/export.csv", params={"area": "initiatives", "dimension": "theme"})
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
        cell = rows[-1][rows[0].index("Inlämnade")]
        out[f"{eid} csv total"] = None if cell == ".." else int(cell)
    for row in (await http.get("/v1/figures/trends")).json()["rows"]:
        out[f"{row['category']} trend"] = row["values"]["submitted"]
    return out


async def test_the_all_editions_total_less_one_edition_never_gives_the_other_edition_away(reporting, two_editions):
    http = reporting.http["reporting"]
    totals = await published_totals(http)
    small = {k: v for k, v in totals.items() if k.startswith(SMALL)}
    big = {k: v for k, v in totals.items() if k.startswith(BIG)}
    assert set(small.values()) == {None}, f"the small edition's two initiatives are masked wherever shown: {small}"
    # 12 − 10 = 2: an all-editions total and the big edition's total must not both be published.
    everything = totals["all editions"]
    assert everything is None or set(big.values()) == {None}, (everything, big)
    # and what the public sees is one figure, whichever page shows it
    assert len(set(big.values())) == 1, big


async def test_every_published_margin_across_editions_hides_the_small_edition(reporting, two_editions):
    """By theme, origin, organizer kind and status, the all-editions figure less the big
    edition's never leaves the small edition's masked cell."""
    http = reporting.http["reporting"]
    everything = (await http.get("/v1/figures/initiatives")).json()
    big = (await http.get(f"/v1/editions/{BIG}/figures/initiatives")).json()["tables"]
    small = (await http.get(f"/v1/editions/{SMALL}/figures/initiatives")).json()["tables"]
    for key, dim in (("by_theme", "theme"), ("by_origin", "origin"), ("by_organizer_kind", "organizer_kind")):
        for cat, all_value in everything[key].items():
            b = {r["category"]: r["values"]["submitted"] for r in big[dim]["rows"]}.get(cat, 0)
            s = {r["category"]: r["values"]["submitted"] for r in small[dim]["rows"]}.get(cat, 0)
            if s is None:
                assert all_value is None or b is None, (key, cat, all_value, b)
    # the analysts still see every figure
    analyst = (await http.get("/v1/figures/initiatives", headers=as_role(Role.analyst))).json()
    assert analyst["total"] == 12 and analyst["by_theme"]["democracy"] == 12
