"""The curator's sources, keys and vocabularies pages against the real registry (on a real port):
registering a source shows its key once (and it works at the registry), a duplicate is refused
beside its field, a new key leaves the old one working until it is revoked, deactivating and
reactivating, adding, changing and retiring a vocabulary term, and a source's key on these pages."""

import contextlib
import re
import uuid

import pytest

from shared.auth import Role
from tests.console import browsing, console, csrf_of, registry_on_a_port, sign_in
from tests.platform import STAFF_KEYS, as_role, as_source, register_source

CURATOR_KEY = STAFF_KEYS[Role.curator]


@pytest.fixture(scope="module")
async def registry(infra, run_id):
    async with registry_on_a_port(infra, f"{run_id}cs") as r:
        yield r


def _uri(tag: str) -> str:
    return f"urn:malmo:source:cs-{tag}-{uuid.uuid4().hex[:6]}"


def _form(uri: str, **fields: str) -> dict[str, str]:
    return {"source": uri, "src_kind": "civil_society", "src_name_sv": "Föreningen Sol", "src_name_en": "The Sun Association", **fields}


def _key_on(html: str) -> str:
    found = re.search(r'<textarea id="new-key"[^>]*>([^<]+)</textarea>', html)
    assert found, "the page shows no key"
    return found.group(1)


async def _me(registry, key: str) -> int:
    return (await registry.http.get("/v1/me", headers=as_source(key))).status_code


@contextlib.asynccontextmanager
async def _curator_and_a_source(registry, tag: str, name: str, keys: int = 1):
    """A curator signed in to the console, and a source registered (with ``keys`` active keys):
    (client, source URI, its first key, the source's page)."""
    uri = _uri(tag)
    key = await register_source(registry.http, uri, name=name)
    for _ in range(keys - 1):
        assert (await registry.http.post(f"/v1/sources/{uri}/keys", headers=as_role(Role.curator))).status_code == 201
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        yield client, uri, key, await client.get(f"/sources/{uri}")


async def _register(client, uri: str, **fields: str):
    page = await client.get("/sources")
    return await client.post("/sources", data={"csrf": csrf_of(page.text), **_form(uri, **fields)})


async def test_registering_a_source_shows_its_key_once_and_the_key_works(registry):
    uri = _uri("reg")
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        r = await _register(client, uri, src_kafka_principal="User:sol")
        assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
        assert "Kopiera nyckeln nu" in r.text and "visas inte igen" in r.text
        key = _key_on(r.text)
        assert await _me(registry, key) == 200
        me = (await registry.http.get("/v1/me", headers=as_source(key))).json()
        assert me["source"] == uri and me["name"] == {"sv": "Föreningen Sol", "en": "The Sun Association"}
        stored = (await registry.http.get(f"/v1/sources/{uri}", headers=as_role(Role.curator))).json()
        assert stored["kind"] == "civil_society" and stored["kafka_principal"] == "User:sol" and stored["active"] is True
        for page in ("/sources", f"/sources/{uri}", "/"):
            shown = await client.get(page)
            assert shown.status_code == 200 and key not in shown.text, f"the key is shown once only, not on {page}"
        listed = (await client.get("/sources")).text
        assert "Föreningen Sol" in listed and "Civilsamhälle" in listed and f'href="/sources/{uri}"' in listed


async def test_a_duplicate_source_is_refused_beside_its_field_and_the_form_is_kept(registry):
    uri = _uri("dup")
    await register_source(registry.http, uri, name="Först")
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        r = await _register(client, uri)
        assert r.status_code == 409 and 'id="f-source-error"' in r.text and "already" in r.text
        assert re.search(r'id="f-source"[^>]*aria-invalid="true" aria-describedby="f-source-error"', r.text)
        assert 'value="The Sun Association"' in r.text and '<option value="civil_society" selected>' in r.text, "what was typed is kept"
        assert "om_" not in r.text.split('id="register-h"')[1], "no key on a refusal"
        empty = await _register(client, _uri("empty"), src_name_sv="", src_kind="")
        assert empty.status_code == 422 and 'id="f-src_name_sv-error"' in empty.text and 'id="f-src_kind-error"' in empty.text
    stored = (await registry.http.get(f"/v1/sources/{uri}", headers=as_role(Role.curator))).json()
    assert stored["name"]["sv"] == "Först", "the registered source is unchanged"


async def test_a_new_key_leaves_the_old_one_working_until_it_is_revoked(registry):
    async with _curator_and_a_source(registry, "rot", "Roterare") as (client, uri, old, page):
        assert page.status_code == 200 and "<h1>Roterare</h1>" in page.text
        old_id = re.search(r'/keys/([^/"]+)/revoke', page.text).group(1)
        r = await client.post(f"/sources/{uri}/keys", data={"csrf": csrf_of(page.text)})
        assert r.status_code == 201 and r.headers["cache-control"] == "no-store" and "visas inte igen" in r.text
        new = _key_on(r.text)
        assert await _me(registry, new) == 200 and await _me(registry, old) == 200, "both work: a switch without downtime"
        confirm = await client.get(f"/sources/{uri}/keys/{old_id}/revoke")
        assert confirm.status_code == 200 and "Återkalla nyckeln?" in confirm.text and old_id in confirm.text
        assert await _me(registry, old) == 200, "asking is not revoking"
        done = await client.post(f"/sources/{uri}/keys/{old_id}/revoke", data={"csrf": csrf_of(confirm.text)})
        assert done.status_code == 303 and done.headers["location"].startswith(f"/sources/{uri}")
        assert await _me(registry, old) == 401 and await _me(registry, new) == 200
        after = (await client.get(f"/sources/{uri}")).text
        assert f"/keys/{old_id}/revoke" not in after and new not in after


async def test_deactivate_and_reactivate_a_source(registry):
    async with _curator_and_a_source(registry, "act", "Vilande") as (client, uri, key, page):
        r = await client.post(f"/sources/{uri}/active", data={"csrf": csrf_of(page.text), "active": "false"})
        assert r.status_code == 303 and await _me(registry, key) == 401
        page = await client.get(f"/sources/{uri}")
        assert "Avaktiverad" in page.text and "Aktivera utgivaren igen" in page.text
        await client.post(f"/sources/{uri}/active", data={"csrf": csrf_of(page.text), "active": "true"})
        assert await _me(registry, key) == 200


async def test_add_change_and_retire_a_term_and_the_registry_shows_it(registry):
    code = f"t{uuid.uuid4().hex[:8]}"
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        page = await client.get("/vocabularies")
        assert page.status_code == 200 and "Demokrati" in page.text
        form = {"csrf": csrf_of(page.text), "voc_vocabulary": "themes", "voc_code": code, "voc_label_sv": "Grannskap", "voc_label_en": "Neighbourhood"}
        r = await client.post("/vocabularies/terms", data=form)
        assert r.status_code == 303 and r.headers["location"] == "/vocabularies#voc-themes"
        themes = (await registry.http.get("/v1/vocabularies/themes")).json()
        assert themes[code] == {"labels": {"sv": "Grannskap", "en": "Neighbourhood"}, "retired": False}
        assert "Grannskap" in (await client.get("/vocabularies")).text, "read fresh, not the minute-old copy"
        change = await client.get(f"/vocabularies?vocabulary=themes&code={code}")
        assert 'value="Grannskap"' in change.text and '<option value="themes" selected>' in change.text, "the form filled to change it"
        await client.post("/vocabularies/terms", data={**form, "voc_label_en": "Neighbourhoods"})
        assert (await registry.http.get("/v1/vocabularies/themes")).json()[code]["labels"]["en"] == "Neighbourhoods"
        confirm = await client.get(f"/vocabularies/themes/terms/{code}/retire")
        assert confirm.status_code == 200 and "Avveckla termen?" in confirm.text and "Grannskap" in confirm.text
        assert not (await registry.http.get("/v1/vocabularies/themes")).json()[code]["retired"], "asking is not retiring"
        done = await client.post(f"/vocabularies/themes/terms/{code}/retire", data={"csrf": csrf_of(confirm.text)})
        assert done.status_code == 303
        assert (await registry.http.get("/v1/vocabularies/themes")).json()[code]["retired"] is True
        row = (await client.get("/vocabularies")).text.split(f"<code>{code}</code>")[1].split("</tr>")[0]
        assert "Avvecklad" in row and "/retire" not in row


async def test_a_term_the_registry_refuses_is_shown_beside_its_field(registry):
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        page = await client.get("/vocabularies?lang=en")
        form = {"csrf": csrf_of(page.text), "voc_vocabulary": "themes", "voc_code": "Bad Code", "voc_label_sv": "X", "voc_label_en": "X"}
        r = await client.post("/vocabularies/terms", data=form)
        assert r.status_code == 422 and 'id="f-voc_code-error"' in r.text and 'value="Bad Code"' in r.text
        blank = await client.post("/vocabularies/terms", data={**form, "voc_code": "fine_code", "voc_label_en": ""})
        assert blank.status_code == 422 and 'id="f-voc_label_en-error"' in blank.text
        none = await client.post("/vocabularies/terms", data={**form, "voc_vocabulary": ""})
        assert none.status_code in (404, 405) and 'id="f-voc_vocabulary-error"' in none.text
    themes = (await registry.http.get("/v1/vocabularies/themes")).json()
    assert "fine_code" not in themes and "Bad Code" not in themes


async def test_a_sources_key_on_these_pages_is_not_allowed(registry):
    uri, other = _uri("src"), _uri("other")
    key = await register_source(registry.http, uri, name="Egen")
    await register_source(registry.http, other, name="Annan")
    async with browsing(console(registry.url)) as client:
        await sign_in(client, key)
        home = await client.get("/")
        assert 'href="/sources"' not in home.text and 'href="/vocabularies"' not in home.text, "no links for a source"
        for page in ("/sources", f"/sources/{other}", f"/sources/{other}/keys/x/revoke"):
            r = await client.get(page)
            assert r.status_code == 403 and "Inte tillåtet" in r.text, page
        token = csrf_of(home.text)
        r = await client.post("/sources", data={"csrf": token, **_form(_uri("sneaky"))})
        assert r.status_code == 403 and "Inte tillåtet" in r.text
        r = await client.post("/vocabularies/terms", data={"csrf": token, "voc_vocabulary": "themes", "voc_code": "sneaky",
                                                           "voc_label_sv": "X", "voc_label_en": "X"})
        assert r.status_code == 403 and "Inte tillåtet" in r.text
        r = await client.post("/vocabularies/themes/terms/democracy/retire", data={"csrf": token})
        assert r.status_code == 403
        r = await client.post(f"/sources/{other}/active", data={"csrf": token, "active": "false"})
        assert r.status_code == 403
    assert "sneaky" not in (await registry.http.get("/v1/vocabularies/themes")).json()
    assert not (await registry.http.get("/v1/vocabularies/themes")).json()["democracy"]["retired"]
    assert (await registry.http.get(f"/v1/sources/{other}", headers=as_role(Role.curator))).json()["active"] is True


async def test_a_post_without_the_csrf_token_changes_nothing(registry):
    async with _curator_and_a_source(registry, "csrf", "Skyddad") as (client, uri, key, _):
        for path, form in ((f"/sources/{uri}/active", {"active": "false"}), (f"/sources/{uri}/keys", {}), ("/sources", _form(_uri("x")))):
            r = await client.post(path, data=form)
            assert r.status_code == 403 and "säkerhetskod" in r.text, path
    assert await _me(registry, key) == 200
    assert len((await registry.http.get(f"/v1/sources/{uri}", headers=as_role(Role.curator))).json()["keys"]) == 1


async def test_too_many_keys_is_shown_beside_the_new_key_button(registry):
    async with _curator_and_a_source(registry, "many", "Många", keys=5) as (client, uri, _, page):  # five: the registry's most
        r = await client.post(f"/sources/{uri}/keys", data={"csrf": csrf_of(page.text)})
        assert r.status_code == 409 and 'id="new-key-error"' in r.text and "revoke one first" in r.text and "om_" not in r.text
    assert len((await registry.http.get(f"/v1/sources/{uri}", headers=as_role(Role.curator))).json()["keys"]) == 5


async def test_the_language_menu_on_a_posts_answer_leads_to_its_page(registry):
    async with _curator_and_a_source(registry, "lang", "Språk") as (client, uri, _, page):
        r = await client.post(f"/sources/{uri}/keys?lang=sv", data={"csrf": csrf_of(page.text)})
        assert f'href="/sources/{uri}/keys?lang=en"' in r.text
        moved = await client.get(f"/sources/{uri}/keys?lang=en")
        assert moved.status_code == 303 and moved.headers["location"] == f"/sources/{uri}?lang=en#keys-h"
        english = await client.get(moved.headers["location"])
        assert '<html lang="en"' in english.text and _key_on(r.text) not in english.text
        assert (await client.get("/vocabularies/terms?lang=sv")).headers["location"] == "/vocabularies?lang=sv#term-h"
