"""Outcome reports through the console against the real registry (on a real port, following real
Kafka): the organiser files a report from its initiative page (a refusal beside its field, what was
typed kept, nothing stored; then fixed), before the first session (the registry's 409 shown), a
curator requests changes, links a partner and publishes; wrong roles get the not-allowed page."""

import re
import uuid

import pytest

from shared.auth import Role
from tests.console import browsing, console, csrf_of, registry_on_a_port, sign_in
from tests.platform import STAFF_KEYS, as_source, register_source, submission
from tests.reports import CURATOR, held_initiative

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def registry(infra, run_id):
    async with registry_on_a_port(infra, f"{run_id}rc") as r:
        r.prefix = f"{run_id}rc."
        yield r


def report_form(page: str, **fields) -> dict:
    """A complete, valid report as an organiser fills it in, with the page's hidden fields."""
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page))
    return {**hidden, "what_happened.sv": "Vi samtalade om demokrati med 40 unga.", "what_happened.en": "We talked about democracy.",
            "worked.sv": "Fika först.", "participants": "40", "spent_sek": "18000", "target_groups": "youth", "districts": "rosengard",
            "partners.0.name": "Föreningen Samtal", "partners.0.kind": "civil_society",
            "materials.0.title": "Samtalsmetoden", "materials.0.url": "https://example.org/metod", **fields}


async def stored(registry, iid: str) -> dict | None:
    r = await registry.http.get(f"/v1/reports/{iid}", headers=CURATOR)
    return r.json() if r.status_code == 200 else None


async def test_the_organiser_files_from_its_initiative_page_a_refusal_beside_its_field_then_fixed(registry, infra):
    uri, key, iid = await held_initiative(registry.http, infra, registry.prefix, "RC-1")
    async with browsing(console(registry.url)) as client:
        await sign_in(client, key)
        page = await client.get(f"/initiatives/{iid}")
        assert f'href="/initiatives/{iid}/report"' in page.text
        form = await client.get(f"/initiatives/{iid}/report")
        assert form.status_code == 200 and "<h1>Resultatrapport: " in form.text and 'name="revision" value="1"' in form.text
        bad = report_form(form.text, **{"what_happened.sv": "", "materials.0.url": "inte en länk"})
        r = await client.post(f"/initiatives/{iid}/report", data=bad)
        assert r.status_code == 422 and await stored(registry, iid) is None
        assert re.search(r'id="f-what_happened.sv"[^>]*aria-describedby="f-what_happened.sv-error" aria-invalid="true"', r.text)
        assert 'id="f-materials.0.url-error"' in r.text and 'value="Föreningen Samtal"' in r.text, "everything typed kept"
        r = await client.post(f"/initiatives/{iid}/report", data={**bad, "what_happened.sv": "Vi samtalade.", "materials.0.url": "https://example.org/m"})
        assert r.status_code == 303 and r.headers["location"] == f"/reports/{iid}?filed=1"
        shown = await client.get(r.headers["location"])
        assert shown.status_code == 200 and "Registret har tagit emot rapporten." in shown.text and "Inskickad" in shown.text
        again = await client.get(f"/initiatives/{iid}/report")
        assert 'name="revision" value="2"' in again.text and "Vi samtalade." in again.text, "filled for the next revision"
    report = await stored(registry, iid)
    assert report["revision"] == 1 and report["content"]["partners"] == [{"name": "Föreningen Samtal", "kind": "civil_society"}]
    assert report["content"]["participants"] == 40 and report["content"]["districts"] == ["rosengard"]


async def test_before_the_first_session_the_registrys_refusal_is_shown_and_nothing_kept(registry):
    uri = f"urn:malmo:source:rc-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry.http, uri, kind="civil_society")
    iid = (await registry.http.post("/v1/submissions", json=submission(uri, "RC-EARLY"), headers=as_source(key))).json()["initiative_id"]
    for decision in ("in_review", "approved"):
        await registry.http.post(f"/v1/initiatives/{iid}/review", json={"decision": decision}, headers=CURATOR)
    async with browsing(console(registry.url)) as client:
        await sign_in(client, key)
        form = await client.get(f"/initiatives/{iid}/report")
        r = await client.post(f"/initiatives/{iid}/report", data=report_form(form.text))
        assert r.status_code == 409 and "first session" in r.text and 'value="Föreningen Samtal"' in r.text
    assert await stored(registry, iid) is None


async def test_the_curator_requests_changes_then_links_a_partner_and_publishes(registry, infra):
    uri, key, iid = await held_initiative(registry.http, infra, registry.prefix, "RC-2")
    partner = f"urn:malmo:source:rc-p-{uuid.uuid4().hex[:6]}"
    await register_source(registry.http, partner, kind="civil_society", name="Föreningen Samtal")
    body = {"what_happened": {"sv": "Vi samtalade."}, "participants": 30, "spent_sek": 100, "partners": [{"name": "Föreningen Samtal", "kind": "civil_society"}],
            "revision": 1}
    assert (await registry.http.post(f"/v1/initiatives/{iid}/report", json=body, headers=as_source(key))).status_code == 202
    async with browsing(console(registry.url)) as client:
        await sign_in(client, STAFF_KEYS[Role.curator])
        assert 'href="/reports"' in (await client.get("/")).text
        listed = await client.get("/reports")
        assert listed.status_code == 200 and f'href="/reports/{iid}"' in listed.text
        page = await client.get(f"/reports/{iid}")
        assert page.status_code == 200 and f'<option value="{partner}">' in page.text
        csrf, version = csrf_of(page.text), re.search(r'name="version" value="(\d+)"', page.text).group(1)
        r = await client.post(f"/reports/{iid}/review", data={"csrf": csrf, "version": version, "decision": "changes_requested", "comment": ""})
        assert r.status_code == 422 and 'id="f-comment-error"' in r.text and (await stored(registry, iid))["status"] == "submitted"
        r = await client.post(f"/reports/{iid}/review", data={"csrf": csrf, "version": version, "decision": "changes_requested",
                                                             "comment": "Hur många var unga?"})
        assert r.status_code == 303 and (await stored(registry, iid))["status"] == "changes_requested"
        await registry.http.post(f"/v1/initiatives/{iid}/report", json={**body, "revision": 2}, headers=as_source(key))
        page = await client.get(f"/reports/{iid}")
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        r = await client.post(f"/reports/{iid}/review", data={"csrf": csrf, "version": version, "decision": "published",
                                                             "partner_source.0": partner})
        assert r.status_code == 303 and r.headers["location"] == f"/reports/{iid}#steps"
        assert "Publicerad" in (await client.get(f"/reports/{iid}")).text
    report = await stored(registry, iid)
    assert report["status"] == "published" and report["content"]["partners"][0]["source"] == partner
    assert (await registry.http.get(f"/v1/reports/{iid}")).status_code == 200, "public once published"


async def test_another_publisher_and_a_scheduler_get_the_not_allowed_page(registry, infra):
    uri, key, iid = await held_initiative(registry.http, infra, registry.prefix, "RC-3")
    other_uri = f"urn:malmo:source:rc-o-{uuid.uuid4().hex[:6]}"
    other_key = await register_source(registry.http, other_uri, kind="civil_society")
    async with browsing(console(registry.url)) as client:
        await sign_in(client, other_key)
        form = await client.get(f"/initiatives/{iid}/report")  # a stamped initiative is public: the form shows
        r = await client.post(f"/initiatives/{iid}/report", data=report_form(form.text))
        assert r.status_code == 403 and "Inte tillåtet" in r.text
        assert (await client.get("/reports")).status_code == 403
    async with browsing(console(registry.url)) as client:
        await sign_in(client, STAFF_KEYS[Role.scheduler])
        page = await client.get("/reports")
        assert page.status_code == 403 and "Inte tillåtet" in page.text
        r = await client.post(f"/reports/{iid}/review", data={"csrf": csrf_of((await client.get("/")).text), "decision": "published"})
        assert r.status_code == 403
    assert await stored(registry, iid) is None
