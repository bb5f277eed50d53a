"""The analyst's page against a real reporting service (and the real registry for signing in),
both on real ports: the dashboard one click away, the unsuppressed headline figures, and the
exports through the console with the session's key — refused as reporting refuses them."""

import contextlib
import json
import uuid
from collections.abc import AsyncIterator

import pytest

from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from shared.envelope import new_event
from shared.events.initiatives import InitiativeRegisteredV1
from shared.events.scheduling import EditionPlannedV1
from tests.console import OnAPort, browsing, console, on_a_port, registry_on_a_port, sign_in
from tests.endpoints import Endpoints
from tests.platform import STAFF_KEYS, RawKafka, eventually, register_source

ANALYST_KEY = STAFF_KEYS[Role.analyst]
EDITION = "om-an-2025"


def _initiative(n: int) -> InitiativeRegisteredV1:
    return InitiativeRegisteredV1.model_validate({
        "initiative_id": f"an-{n}", "source": "urn:malmo:source:an", "external_id": f"AN-{n}", "revision": 1, "version": 1,
        "status": "submitted", "stamped": False, "received_at": "2025-03-01T09:00:00+00:00", "updated_at": "2025-03-01T09:00:00+00:00",
        "content": {"title": {"sv": f"Initiativ {n}"}, "summary": {"sv": "Kort."}, "organizer": {"kind": "civil_society", "name": "Förening"},
                    "themes": ["democracy"], "origin": "new", "period": {"start": "2025-10-06", "end": "2025-10-19"}},
    })


@contextlib.asynccontextmanager
async def reporting_with_figures(infra: Endpoints, run_id: str) -> AsyncIterator[OnAPort]:
    """Reporting on a port, knowing one edition with two initiatives (below the suppression
    threshold: the public sees "..", an analyst 2)."""
    async with on_a_port(infra, run_id, reporting_app, ReportingSettings) as reporting:
        async with RawKafka(infra.kafka, f"{run_id}.") as kafka:
            planned = EditionPlannedV1(edition_id=EDITION, version=1, name={"sv": "Öppna Malmö 2025", "en": "Open Malmö 2025"}, year=2025,
                                       starts_on="2025-10-06", ends_on="2025-10-19", budget_sek=3_780_000, status="planning")
            event = new_event(planned, source="urn:malmo:oppna:scheduling", subject=EDITION)
            await kafka.send("scheduling.sessions.v1", event.to_bytes(), key=EDITION)
            for n in (1, 2):
                e = new_event(_initiative(n), source="urn:malmo:oppna:registry", subject=f"an-{n}")
                await kafka.send("registry.initiatives.v1", e.to_bytes(), key=f"an-{n}")

        async def counted():
            r = await reporting.http.get("/v1/analyst/figures/trends", headers={"authorization": f"Bearer {ANALYST_KEY}"})
            return r.status_code == 200 and any(row["values"]["submitted"] == 2 for row in r.json()["rows"])

        await eventually(counted, what="reporting to count the two initiatives")
        yield reporting


@pytest.fixture(scope="module")
async def services(infra, run_id):
    async with registry_on_a_port(infra, f"{run_id}anr") as registry, reporting_with_figures(infra, f"{run_id}anp") as reporting:
        yield registry, reporting


@pytest.fixture(scope="module")
async def publisher_key(services):
    registry, _ = services
    return await register_source(registry.http, f"urn:malmo:source:an-{uuid.uuid4().hex[:6]}", kind="civil_society", name="Föreningen Tal")


def console_of(services):
    registry, reporting = services
    return console(registry.url, reporting_url=reporting.url)


async def test_the_analyst_finds_the_dashboard_figures_and_exports_from_home(services):
    _, reporting = services
    async with browsing(console_of(services)) as client:
        await sign_in(client, ANALYST_KEY)
        home = await client.get("/")
        assert '<a href="/analysis">Analys</a>' in home.text
        page = await client.get("/analysis")
        assert page.status_code == 200 and "<h1>Analys och statistik</h1>" in page.text
        assert f'href="{reporting.url}/dashboard?edition={EDITION}&amp;lang=sv"' in page.text, "the public dashboard, on reporting's origin"
        figures = page.text[page.text.index('id="figures-h"'):page.text.index('id="exports-h"')]
        assert '<th scope="col">Öppna Malmö 2025</th>' in figures
        assert '<th scope="row">Inlämnade</th><td>2</td>' in figures, "unsuppressed: the analyst sees the 2 the public does not"
        assert '<th scope="row">Periodens budget (kr)</th><td>3 780 000</td>' in figures
        assert f'href="/analysis/exports/initiatives-theme.csv?edition={EDITION}"' in page.text
        assert f'href="/analysis/exports/money.json?edition={EDITION}"' in page.text
        assert f'href="/analysis/exports/follow_up.json?edition={EDITION}"' in page.text and "<h3 id=\"area-follow_up\">Uppföljning</h3>" in page.text
        assert "Godkända initiativ: sökt belopp och egen finansiering" in page.text
        assert ANALYST_KEY not in page.text
        english = await client.get("/analysis", params={"lang": "en"})
        assert "<h1>Analysis and statistics</h1>" in english.text and "Open Malmö 2025" in english.text


async def test_the_dashboard_link_is_the_public_address_when_reporting_is_called_inside(services):
    registry, reporting = services
    public = "https://statistik.example.org"
    async with browsing(console(registry.url, reporting_url=reporting.url, reporting_public_url=public)) as client:
        await sign_in(client, ANALYST_KEY)
        page = await client.get("/analysis")
    assert f'href="{public}/dashboard?edition={EDITION}&amp;lang=sv"' in page.text
    assert '<th scope="row">Inlämnade</th><td>2</td>' in page.text, "the figures still come from reporting's inside address"


async def test_an_export_downloads_through_the_console_with_the_analysts_key(services):
    async with browsing(console_of(services)) as client:
        await sign_in(client, ANALYST_KEY)
        csv = await client.get("/analysis/exports/initiatives-theme.csv", params={"edition": EDITION})
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert csv.headers["content-disposition"] == f'attachment; filename="oppna-malmo-{EDITION}-initiatives-theme.csv"'
        assert csv.content.startswith("\ufeff".encode()) and b";" in csv.content and b".." in csv.content, "suppressed, as published"
        whole = await client.get("/analysis/exports/initiatives.json", params={"edition": EDITION})
        assert whole.status_code == 200 and whole.headers["content-type"].startswith("application/json")
        assert whole.headers["content-disposition"] == f'attachment; filename="oppna-malmo-{EDITION}-initiatives.json"'
        body = json.loads(whole.content)
        assert body["tables"]["theme"]["total"]["values"]["submitted"] == 2, "unsuppressed for the analyst"
        stat = await client.get("/analysis/exports/initiatives-theme.jsonstat.json", params={"edition": EDITION})
        assert stat.status_code == 200 and json.loads(stat.content)["class"] == "dataset"
        trends = await client.get("/analysis/exports/trends.json")
        assert trends.status_code == 200 and 'filename="oppna-malmo-trends.json"' in trends.headers["content-disposition"]


async def test_a_publishers_key_gets_the_not_allowed_page_from_reporting(services, publisher_key):
    async with browsing(console_of(services)) as client:
        await sign_in(client, publisher_key)
        for path in ("/analysis/exports/initiatives.json", "/analysis/exports/trends.json", "/analysis"):
            r = await client.get(path, params={"edition": EDITION})
            assert r.status_code == 403 and "Inte tillåtet" in r.text and "content-disposition" not in r.headers, path
        assert 'href="/analysis"' not in (await client.get("/")).text, "no analysis link for a publisher"


async def test_a_curators_key_is_refused_as_reporting_refuses_it(services):
    async with browsing(console_of(services)) as client:
        await sign_in(client, STAFF_KEYS[Role.curator])
        r = await client.get("/analysis/exports/reach.json", params={"edition": EDITION})
        assert r.status_code == 403 and "Inte tillåtet" in r.text


async def test_an_unknown_export_or_edition_is_not_found(services):
    async with browsing(console_of(services)) as client:
        await sign_in(client, ANALYST_KEY)
        for path, params in (("/analysis/exports/initiatives.exe", {"edition": EDITION}), ("/analysis/exports/initiatives.json", {"edition": "om-1999"}),
                             ("/analysis", {"edition": "om-1999"})):
            r = await client.get(path, params=params)
            assert r.status_code == 404 and "Hittades inte" in r.text, path
        r = await client.get("/analysis/exports/initiatives-nosuch.csv", params={"edition": EDITION})
        assert r.status_code == 422, "reporting names the unknown dimension"
