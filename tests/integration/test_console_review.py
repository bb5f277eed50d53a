"""The curator's work list filter "changed since stamped" and the initiative page's "changed since
the stamp", against the real registry on a real port."""

import re
import uuid

import pytest

from shared.auth import Role
from tests.console import browsing, console, registry_on_a_port, sign_in
from tests.platform import STAFF_KEYS, as_role, as_source, register_source, submission

CURATOR_KEY = STAFF_KEYS[Role.curator]


@pytest.fixture(scope="module")
async def registry(infra, run_id):
    async with registry_on_a_port(infra, f"{run_id}crv") as r:
        yield r


async def publish(registry, key: str, event: dict) -> str:
    r = await registry.http.post("/v1/submissions", json=event, headers=as_source(key))
    assert r.status_code == 202, r.text
    return r.json()["initiative_id"]


async def approve(registry, initiative_id: str) -> None:
    for decision in ("in_review", "approved"):
        r = await registry.http.post(f"/v1/initiatives/{initiative_id}/review", json={"decision": decision, "comment": "Bra"},
                                     headers=as_role(Role.curator))
        assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
async def initiatives(registry):
    return await stamped_three(registry)


async def stamped_three(registry) -> tuple[str, dict[str, str]]:
    """One source's three initiatives: stamped then revised (a new description), stamped and not
    revised, never stamped but revised: (source, {external id: initiative id})."""
    uri = f"urn:malmo:source:crv-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry.http, uri, kind="civil_society", name="Föreningen Stämpel")
    ids = {x: await publish(registry, key, submission(uri, x)) for x in ("CRV-REVISED", "CRV-SAME", "CRV-NEVER")}
    await approve(registry, ids["CRV-REVISED"])
    await approve(registry, ids["CRV-SAME"])
    await publish(registry, key, submission(uri, "CRV-REVISED", revision=2, description={"sv": "Vi ses i parken i stället."}))
    await publish(registry, key, submission(uri, "CRV-NEVER", revision=2, description={"sv": "Aldrig stämplad."}))
    return uri, ids


async def test_the_filter_lists_what_changed_after_its_stamp_and_nothing_else(registry, initiatives):
    uri, ids = initiatives
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        form = await client.get("/review")
        assert 'type="checkbox" id="f-changed_since_stamped" name="changed_since_stamped" value="true"' in form.text
        assert '<label for="f-changed_since_stamped">Bara ändrade efter stämpeln</label>' in form.text
        page = await client.get("/review", params={"source": uri, "changed_since_stamped": "true"})
        assert page.status_code == 200
        assert "Demokratisamtal CRV-REVISED" in page.text
        assert "CRV-SAME" not in page.text and "CRV-NEVER" not in page.text
        assert re.search(r'id="f-changed_since_stamped"[^>]* checked', page.text), "the filter is shown as chosen"
        assert f'href="/initiatives/{ids["CRV-REVISED"]}#since-stamp"' in page.text
        assert "<td>1 (nu 2)</td>" in page.text and "<td>Godkänt</td>" in page.text, "stamped at 1, now at 2, still approved"
        unfiltered = await client.get("/review", params={"source": uri})
        assert "CRV-NEVER" in unfiltered.text and "CRV-REVISED" not in unfiltered.text, "approved ones wait for nobody"
        english = await client.get("/review", params={"lang": "en"})
        assert "Only changed after the stamp" in english.text and "Stamped revision" in english.text


async def test_the_initiative_page_says_which_revision_was_stamped_and_what_changed_since(registry, initiatives):
    _, ids = initiatives
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        page = (await client.get(f"/initiatives/{ids['CRV-REVISED']}")).text
        since = page[page.index('<h2 id="since-stamp"'):page.index('id="revisions-h"')]
        assert 'Stämpeln gavs version <a href="#revision-1">1</a>' in since
        assert 'Versioner efter stämpeln: <a href="#revision-2">2</a>' in since
        assert "<td>Vi ses i parken i stället.</td>" in since and "Beskrivning" in since
        assert 'id="revision-1"' in page and "Version från utgivaren 1 (stämplad)" in page
        same = (await client.get(f"/initiatives/{ids['CRV-SAME']}")).text
        assert "Utgivaren har inte skickat någon ny version sedan stämpeln." in same
        never = (await client.get(f"/initiatives/{ids['CRV-NEVER']}")).text
        assert 'id="since-stamp"' not in never
