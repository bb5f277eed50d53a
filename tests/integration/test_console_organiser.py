"""The organiser's pages against the real registry (on a real port): submit a new initiative with
an invalid field (the registry's reason beside it, what was typed kept, nothing stored), fixed
(stored), a revision (revision 2 at the registry, shown as revised after changes requested), a
withdrawal with its confirmation step, and another source's or a curator's key refused."""

import re
import uuid

import pytest

from shared.auth import Role
from tests.console import browsing, console, csrf_of, registry_on_a_port, sign_in
from tests.platform import STAFF_KEYS, as_role, as_source, register_source, submission


@pytest.fixture(scope="module")
async def registry(infra, run_id):
    async with registry_on_a_port(infra, f"{run_id}co") as r:
        yield r


async def new_source(registry, name: str) -> tuple[str, str]:
    uri = f"urn:malmo:source:co-{uuid.uuid4().hex[:6]}"
    return uri, await register_source(registry.http, uri, kind="civil_society", name=name)


@pytest.fixture(scope="module")
async def source(registry):
    return await new_source(registry, "Föreningen Ljus")


def form(page: str, **fields) -> dict:
    """A complete, valid form as an organiser fills it in, with the page's hidden fields."""
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page))
    return {**hidden, "title.sv": "Samtal i Rosengård", "title.en": "Talks in Rosengård", "summary.sv": "Samtal om demokrati.",
            "organizer.kind": "civil_society", "organizer.name": "Föreningen Ljus", "themes": ["democracy", "participation"],
            "districts": "rosengard", "languages": ["sv", "ar"], "origin": "new", "period.start": "2027-03-01",
            "period.end": "2027-03-14", "expected_participants": "40", "budget.requested_sek": "25000", "links": "https://example.org/ljus",
            "contact.name": "Programansvarig", "contact.email": "program@example.org", **fields}


async def mine_at_registry(registry, uri: str) -> list[dict]:
    r = await registry.http.get("/v1/initiatives", params={"source": uri}, headers=as_role(Role.curator))
    return r.json()["items"]


async def test_an_invalid_field_is_shown_beside_it_and_nothing_is_stored_then_the_fixed_form_is(registry, source):
    uri, key = source
    async with browsing(console(registry.url)) as client:
        await sign_in(client, key)
        page = await client.get("/submit")
        assert page.status_code == 200 and "<h1>Skicka in ett nytt initiativ</h1>" in page.text
        assert "Demokrati" in page.text or "democracy" in page.text, "the themes by their labels"
        bad = form(page.text, **{"title.sv": "", "period.end": "2027-02-01"})
        r = await client.post("/submit", data=bad)
        assert r.status_code == 422 and await mine_at_registry(registry, uri) == []
        assert re.search(r'id="f-title.sv"[^>]*aria-invalid="true" aria-describedby="f-title.sv-error"', r.text)
        assert 'id="f-title.sv-error"' in r.text and 'id="f-period.end-error"' in r.text
        assert 'value="Talks in Rosengård"' in r.text and 'value="democracy" checked' in r.text, "everything typed kept"
        assert 'name="external_id" value="' + bad["external_id"] + '"' in r.text, "the same initiative when sent again"
        fixed = await client.post("/submit", data={**bad, "title.sv": "Samtal i Rosengård", "period.end": "2027-03-14"})
        assert fixed.status_code == 303 and fixed.headers["location"].endswith("/received?what=submitted")
        shown = await client.get(fixed.headers["location"])
        assert shown.status_code == 200 and "Registret har tagit emot initiativet" in shown.text
        mine = await client.get("/mine")
        assert "Samtal i Rosengård" in mine.text and "Inskickat" in mine.text
    [stored] = await mine_at_registry(registry, uri)
    assert stored["external_id"] == bad["external_id"] and stored["revision"] == 1
    assert stored["content"]["themes"] == ["democracy", "participation"] and stored["content"]["expected_participants"] == 40
    assert stored["content"]["contact"]["email"] == "program@example.org"


async def test_a_revision_after_changes_requested_is_revision_2_and_shows_as_revised(registry):
    uri, key = await new_source(registry, "Föreningen Rev")
    r = await registry.http.post("/v1/submissions", json=submission(uri, "CO-REV"), headers=as_source(key))
    iid = r.json()["initiative_id"]
    for decision, comment in (("in_review", ""), ("changes_requested", "Ange lokal, tack.")):
        await registry.http.post(f"/v1/initiatives/{iid}/review", json={"decision": decision, "comment": comment}, headers=as_role(Role.curator))
    async with browsing(console(registry.url)) as client:
        await sign_in(client, key)
        page = await client.get(f"/initiatives/{iid}")
        assert f'href="/initiatives/{iid}/revise"' in page.text
        filled = await client.get(f"/initiatives/{iid}/revise")
        assert filled.status_code == 200 and 'value="Demokratisamtal CO-REV"' in filled.text and 'value="rosengard" checked' in filled.text
        assert 'name="revision" value="2"' in filled.text and 'value="program@example.org"' in filled.text
        hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', filled.text))
        fields = {**hidden, "title.sv": "Demokratisamtal CO-REV på Garaget", "summary.sv": "Samtal om demokrati.", "organizer.kind": "administration",
                  "organizer.name": "Kulturförvaltningen", "themes": "democracy", "origin": "new", "contact.name": "Programansvarig"}
        bad = await client.post(f"/initiatives/{iid}/revise", data={**fields, "contact.email": "inte en adress"})
        assert bad.status_code == 422 and 'id="f-contact.email-error"' in bad.text and 'value="inte en adress"' in bad.text
        assert (await registry.http.get(f"/v1/initiatives/{iid}", headers=as_role(Role.curator))).json()["revision"] == 1
        r = await client.post(f"/initiatives/{iid}/revise", data=fields)
        assert r.status_code == 303 and r.headers["location"] == f"/initiatives/{iid}/received?what=revised"
        shown = await client.get(r.headers["location"])
        assert "Registret har tagit emot den nya versionen" in shown.text and "granskning igen" in shown.text
        mine = await client.get("/mine")
        assert "Ändrat efter granskarens begäran om ändringar" in mine.text and "Ange lokal, tack." in mine.text
    state = (await registry.http.get(f"/v1/initiatives/{iid}", headers=as_role(Role.curator))).json()
    assert state["revision"] == 2 and state["status"] == "submitted" and state["content"]["title"]["sv"] == "Demokratisamtal CO-REV på Garaget"


async def test_withdraw_after_a_confirmation_step(registry, source):
    uri, key = source
    r = await registry.http.post("/v1/submissions", json=submission(uri, "CO-WD"), headers=as_source(key))
    iid = r.json()["initiative_id"]
    async with browsing(console(registry.url)) as client:
        await sign_in(client, key)
        confirm = await client.get(f"/initiatives/{iid}/withdraw")
        assert confirm.status_code == 200 and "Ja, återkalla" in confirm.text
        assert (await client.get(f"/initiatives/{iid}")).status_code == 200
        assert (await registry.http.get(f"/v1/initiatives/{iid}", headers=as_role(Role.curator))).json()["status"] == "submitted", "asking changes nothing"
        r = await client.post(f"/initiatives/{iid}/withdraw", data={"csrf": csrf_of(confirm.text), "reason": "Inställt."})
        assert r.status_code == 303 and r.headers["location"] == f"/initiatives/{iid}/received?what=withdrawn"
        assert "Registret har tagit emot återkallelsen" in (await client.get(r.headers["location"])).text
    state = (await registry.http.get(f"/v1/initiatives/{iid}", headers=as_role(Role.curator))).json()
    assert state["status"] == "withdrawn" and state["history"][-1]["kind"] == "withdrawal"


async def test_another_sources_initiative_and_a_curators_key_are_not_allowed(registry, source):
    uri, key = source
    other_uri, other_key = await new_source(registry, "Någon annan")
    r = await registry.http.post("/v1/submissions", json=submission(other_uri, "CO-OTHER"), headers=as_source(other_key))
    theirs = r.json()["initiative_id"]
    for decision in ("in_review", "approved"):  # approved: public, so the registry shows it to any key
        await registry.http.post(f"/v1/initiatives/{theirs}/review", json={"decision": decision}, headers=as_role(Role.curator))
    before = (await registry.http.get(f"/v1/initiatives/{theirs}", headers=as_role(Role.curator))).json()
    async with browsing(console(registry.url)) as client:
        await sign_in(client, key)
        page = await client.get(f"/initiatives/{theirs}")
        assert page.status_code == 200 and "/revise" not in page.text and "/withdraw" not in page.text
        filled = await client.get(f"/initiatives/{theirs}/revise")
        hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', filled.text))
        r = await client.post(f"/initiatives/{theirs}/revise", data=form(filled.text, **hidden))
        assert r.status_code == 403 and "Inte tillåtet" in r.text
        r = await client.post(f"/initiatives/{theirs}/withdraw", data={"csrf": hidden["csrf"]})
        assert r.status_code == 403 and "Inte tillåtet" in r.text
    after = (await registry.http.get(f"/v1/initiatives/{theirs}", headers=as_role(Role.curator))).json()
    assert after["version"] == before["version"] and after["status"] == "approved"
    async with browsing(console(registry.url)) as staff:
        await sign_in(staff, STAFF_KEYS[Role.curator])
        page = await staff.get("/submit")
        r = await staff.post("/submit", data=form(page.text))
        assert r.status_code == 403 and "Inte tillåtet" in r.text


async def test_a_revision_keeps_every_language_the_initiative_has_and_offers_arabic(registry):
    """The form asks the texts in every platform language (Arabic among them) and shows any other
    language the initiative already has, so a revision through the console loses no text."""
    uri, key = await new_source(registry, "Föreningen Språk")
    event = submission(uri, "CO-LANG", title={"sv": "Samtal om språk", "en": "Talks on language", "ar": "حوار حول اللغة", "fa": "گفتگو درباره زبان"},
                       summary={"sv": "Samtal.", "ar": "حوار."})
    iid = (await registry.http.post("/v1/submissions", json=event, headers=as_source(key))).json()["initiative_id"]
    async with browsing(console(registry.url)) as client:
        await sign_in(client, key)
        new = (await client.get("/submit")).text
        assert 'id="f-title.ar"' in new and "Titel (arabiska, valfri)" in new, "every platform language is asked"
        filled = await client.get(f"/initiatives/{iid}/revise")
        fields = dict(re.findall(r'name="((?:title|summary|description)\.[a-z]+)"[^>]*value="([^"]*)"', filled.text))
        assert fields["title.ar"] == "حوار حول اللغة" and fields["title.fa"] == "گفتگو درباره زبان", "a language the platform does not offer is kept too"
        hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', filled.text))
        form = {**hidden, **fields, "summary.sv": "Samtal om språk.", "summary.ar": "حوار.", "title.sv": "Samtal om språk i Malmö",
                "organizer.kind": "administration", "organizer.name": "Kulturförvaltningen", "themes": "democracy", "origin": "new"}
        r = await client.post(f"/initiatives/{iid}/revise", data=form)
        assert r.status_code == 303, r.text[:500]
    title = (await registry.http.get(f"/v1/initiatives/{iid}", headers=as_role(Role.curator))).json()["content"]["title"]
    assert title == {"sv": "Samtal om språk i Malmö", "en": "Talks on language", "ar": "حوار حول اللغة", "fa": "گفتگو درباره زبان"}
