"""Reporting names vocabulary categories (themes, districts, …) by the registry's labels, as it
follows them: a theme the curators add is labelled, and a label is the registry's, not a second
list's (reporting said "Antisemitism" where the registry says "Motverka antisemitism")."""

import csv
import io
import uuid

import pytest

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from shared.events.scheduling import EditionPlannedV1
from tests.integration.test_reporting_service import EDITION, edition, initiative_state, registry_event, send
from tests.platform import Platform, as_role, eventually
from tests.vocabulary_events import publish_vocabularies

pytestmark = pytest.mark.integration
ADDED = {"civic_courage": {"labels": {"sv": "Civilkurage", "en": "Moral courage"}, "retired": False}}
EXPECTED = {
    "sv": {"antisemitism": "Motverka antisemitism", "civic_courage": "Civilkurage"},
    "en": {"antisemitism": "Countering antisemitism", "civic_courage": "Moral courage"},
}


@pytest.fixture(scope="module")
async def reporting(infra):
    async with Platform.start(infra, f"v{uuid.uuid4().hex[:8]}", reporting=(create_app, ReportingSettings)) as p:
        await publish_vocabularies(p.kafka, extra={"themes": ADDED})
        await send(p, "scheduling.sessions.v1", edition(EditionPlannedV1, 1))
        for n in range(12):
            state = initiative_state(n, 1, "submitted")
            state["content"]["themes"] = ["antisemitism"] if n < 6 else ["civic_courage"]
            await send(p, "registry.initiatives.v1", registry_event("registered", state))
        yield p


async def test_figures_and_exports_name_themes_by_the_registrys_labels(reporting):
    http = reporting.http["reporting"]
    staff = as_role(Role.analyst)

    for lang, labels in EXPECTED.items():
        async def labelled():
            r = await http.get(f"/v1/analyst/editions/{EDITION}/figures/initiatives", params={"dimension": "theme", "lang": lang}, headers=staff)
            rows = {row["category"]: row for row in r.json()["tables"]["theme"]["rows"]} if r.status_code == 200 else {}
            found = {c: rows[c]["label"] for c in labels if c in rows and rows[c]["values"]["submitted"] == 6}
            return found if found == labels else None

        await eventually(labelled, what=f"the themes labelled in {lang}")
    export = await http.get(f"/v1/editions/{EDITION}/export.csv", params={"area": "initiatives", "dimension": "theme"})
    assert export.status_code == 200, export.text
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert {"Motverka antisemitism", "Civilkurage"} <= {r[0] for r in rows}, rows
