"""The console against the real registry (on a real port): sign-in with a curator's and a source's
key, a bad key, CSRF refusals, idle expiry, sign-out, a source key on the curator's pages, a
review step through the console, and a registry that does not answer."""

import re
import uuid

import pytest

from shared.auth import Role
from tests.browser import free_port
from tests.console import Clock, browsing, console, csrf_of, registry_on_a_port, sign_in
from tests.platform import STAFF_KEYS, as_role, as_source, register_source, submission

CURATOR_KEY = STAFF_KEYS[Role.curator]


@pytest.fixture(scope="module")
async def registry(infra, run_id):
    async with registry_on_a_port(infra, f"{run_id}cp") as r:
        yield r


@pytest.fixture(scope="module")
async def source(registry):
    """A registered publisher with one submitted initiative: (source, key, initiative id)."""
    uri = f"urn:malmo:source:cp-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry.http, uri, kind="civil_society", name="Föreningen Ljus")
    r = await registry.http.post("/v1/submissions", json=submission(uri, "CP-1"), headers=as_source(key))
    assert r.status_code == 202, r.text
    return uri, key, r.json()["initiative_id"]


async def new_initiative(registry, source, external_id: str) -> str:
    uri, key, _ = source
    r = await registry.http.post("/v1/submissions", json=submission(uri, external_id), headers=as_source(key))
    assert r.status_code == 202, r.text
    return r.json()["initiative_id"]


async def status_at_registry(registry, initiative_id: str) -> str:
    return (await registry.http.get(f"/v1/initiatives/{initiative_id}", headers=as_role(Role.curator))).json()["status"]


async def test_a_curator_signs_in_with_a_key_and_the_cookie_holds_only_a_session_id(registry):
    async with browsing(console(registry.url)) as client:
        r = await sign_in(client, CURATOR_KEY)
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = r.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower() and "path=/" in cookie.lower()
        assert "secure" not in cookie.lower(), "plain http on 127.0.0.1 (make run)"
        assert CURATOR_KEY not in cookie
        home = await client.get("/")
        assert home.status_code == 200 and "granskare" in home.text and CURATOR_KEY not in home.text
        work = await client.get("/review")
        assert work.status_code == 200 and "<h1>Granskningslista</h1>" in work.text and CURATOR_KEY not in work.text


async def test_the_cookie_is_secure_outside_localhost(registry):
    async with browsing(console(registry.url), base_url="https://console.oppna.malmo.se") as client:
        form = await client.get("/signin")
        assert "secure" in form.headers["set-cookie"].lower()
        r = await client.post("/signin", data={"csrf": csrf_of(form.text), "key": CURATOR_KEY})
        assert r.status_code == 303 and "secure" in r.headers["set-cookie"].lower()


async def test_signing_in_starts_a_new_session_id(registry):
    async with browsing(console(registry.url)) as client:
        await client.get("/signin")
        before = client.cookies["om_console"]
        await sign_in(client, CURATOR_KEY)
        assert client.cookies["om_console"] != before


async def test_a_source_signs_in_and_sees_its_own_initiatives_with_the_curators_comment(registry, source):
    uri, key, _ = source
    iid = await new_initiative(registry, source, "CP-MINE")
    for decision, comment in (("in_review", ""), ("changes_requested", "Ange lokal, tack.")):
        r = await registry.http.post(f"/v1/initiatives/{iid}/review", json={"decision": decision, "comment": comment}, headers=as_role(Role.curator))
        assert r.status_code == 200, r.text
    async with browsing(console(registry.url)) as client:
        assert (await sign_in(client, key)).status_code == 303
        home = await client.get("/")
        assert "Föreningen Ljus" in home.text and "utgivare" in home.text
        mine = await client.get("/mine")
        assert mine.status_code == 200 and "Demokratisamtal CP-MINE" in mine.text
        assert "Ändringar begärda" in mine.text and "Ange lokal, tack." in mine.text
        page = await client.get(f"/initiatives/{iid}")
        assert page.status_code == 200 and "Ange lokal, tack." in page.text
        assert 'action="/initiatives/' not in page.text, "the review form is the curator's"


async def test_a_bad_key_gets_the_form_again_with_the_error(registry):
    async with browsing(console(registry.url)) as client:
        for bad in ("om_nosuch_notasecret", "not a key at all", "om_ä_ü", ""):
            r = await sign_in(client, bad)
            assert r.status_code == 200 and "Nyckeln godtogs inte" in r.text and 'aria-invalid="true"' in r.text, bad
        assert (await client.get("/review")).headers["location"] == "/signin", "not signed in"


async def test_a_post_without_the_right_csrf_token_is_refused_and_changes_nothing(registry, source):
    iid = await new_initiative(registry, source, "CP-CSRF")
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        page = await client.get(f"/initiatives/{iid}")
        token = csrf_of(page.text)
        other = ("y" if token[0] == "x" else "x") + token[1:]  # another token, one character off
        for form in ({"decision": "in_review"}, {"decision": "in_review", "csrf": other}, {"decision": "in_review", "csrf": ""}):
            r = await client.post(f"/initiatives/{iid}/review", data=form)
            assert r.status_code == 403 and "säkerhetskod" in r.text, form
        assert await status_at_registry(registry, iid) == "submitted"
        assert (await client.post("/signout", data={})).status_code == 403
        assert (await client.get("/review")).status_code == 200, "a refused sign-out signs nobody out"
    async with browsing(console(registry.url)) as fresh:
        r = await fresh.post("/signin", data={"key": CURATOR_KEY})  # no form, no token
        assert r.status_code == 403 and "om_console" not in r.headers.get("set-cookie", "")


async def test_a_session_idle_too_long_ends(registry):
    clock = Clock()
    async with browsing(console(registry.url, clock, console_idle_minutes=30)) as client:
        await sign_in(client, CURATOR_KEY)
        clock.now += 29 * 60
        assert (await client.get("/review")).status_code == 200, "used within the idle time: it lives on, from now"
        clock.now += 29 * 60
        assert (await client.get("/review")).status_code == 200
        clock.now += 31 * 60
        r = await client.get("/review")
        assert r.status_code == 303 and r.headers["location"] == "/signin?expired=1"
        form = await client.get(r.headers["location"])
        assert "inaktiv för länge" in form.text
        assert (await client.get("/review")).headers["location"] == "/signin", "the session is gone"


async def test_sign_out_ends_the_session(registry):
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        home = await client.get("/")
        session_id = client.cookies["om_console"]
        r = await client.post("/signout", data={"csrf": csrf_of(home.text)})
        assert r.status_code == 303 and r.headers["location"] == "/signin"
        replayed = await client.get("/review", headers={"cookie": f"om_console={session_id}"})  # the old id, replayed
        assert replayed.status_code == 303 and replayed.headers["location"] == "/signin"


async def test_a_source_key_on_the_work_list_gets_the_not_allowed_page(registry, source):
    _, key, _ = source
    async with browsing(console(registry.url)) as client:
        await sign_in(client, key)
        r = await client.get("/review")
        assert r.status_code == 403 and "Inte tillåtet" in r.text


async def test_approve_through_the_console_and_the_registry_shows_it_approved(registry, source):
    iid = await new_initiative(registry, source, "CP-APPROVE")
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        listed = await client.get("/review", params={"organizer_kind": "administration", "q": "CP-APPROVE"})
        assert f"/initiatives/{iid}" in listed.text
        for decision in ("in_review", "approved"):
            page = await client.get(f"/initiatives/{iid}")
            r = await client.post(f"/initiatives/{iid}/review", data={"csrf": csrf_of(page.text), "decision": decision,
                                                                      "comment": "Välkommen!", "version": _version(page.text)})
            assert r.status_code == 303, r.text
        assert await status_at_registry(registry, iid) == "approved"
        page = await client.get(f"/initiatives/{iid}")
        assert "Godkänt" in page.text and "Välkommen!" in page.text


async def test_a_filter_the_registry_refuses_is_shown_beside_it(registry):
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        r = await client.get("/review", params={"limit": "0", "theme": "democracy"})
        assert r.status_code == 422 and 'id="f-limit-error"' in r.text and 'aria-invalid="true"' in r.text
        assert '<option value="democracy" selected>' in r.text, "the filters are kept (a theme chosen by its label)"


async def test_the_registrys_refusal_is_shown_beside_the_comment(registry, source):
    iid = await new_initiative(registry, source, "CP-REFUSED")
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        page = await client.get(f"/initiatives/{iid}")
        r = await client.post(f"/initiatives/{iid}/review", data={"csrf": csrf_of(page.text), "decision": "approved", "comment": "Kort"})
        assert r.status_code == 409 and 'id="comment-error"' in r.text and "invalid_transition" in r.text
        assert ">Kort</textarea>" in r.text, "what the curator wrote is kept"
        assert await status_at_registry(registry, iid) == "submitted"


async def test_the_initiative_page_shows_what_changed_between_revisions(registry, source):
    uri, key, _ = source
    iid = await new_initiative(registry, source, "CP-REV")
    revised = submission(uri, "CP-REV", revision=2, title={"sv": "Ny titel", "en": "New title"})
    assert (await registry.http.post("/v1/submissions", json=revised, headers=as_source(key))).status_code == 202
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        page = (await client.get(f"/initiatives/{iid}?lang=en")).text
        assert '<html lang="en" dir="ltr">' in page and "Changed since the previous revision" in page
        revisions = page.split('id="revisions-h"')[1].split('id="steps"')[0]
        assert "The first revision." in revisions
        # fields by their names, with the text's language, not their paths
        assert '<th scope="row">Title (Swedish)</th><td>Demokratisamtal CP-REV</td><td>Ny titel</td>' in revisions
        assert '<th scope="row">Title (English)</th><td>Democracy talk CP-REV</td><td>New title</td>' in revisions
        assert "Summary (Swedish)" not in revisions, "unchanged fields are not listed as changes"
        now = page.split('id="state-h"')[1].split('id="revisions-h"')[0]
        # codes read as the registry's vocabulary labels, in the page's language
        assert '<th scope="row">Themes</th><td>Democracy, Participation</td>' in now and '<td>Rosengård</td>' in now and '>rosengard<' not in now


async def test_language_by_menu_cookie_and_accept_language(registry):
    async with browsing(console(registry.url)) as client:
        sv = await client.get("/signin")
        assert '<html lang="sv"' in sv.text and 'href="/signin?lang=en"' in sv.text
        en = await client.get("/signin?lang=en")
        assert '<html lang="en"' in en.text and "Sign in to the console" in en.text
        assert '<html lang="en"' in (await client.get("/signin")).text, "kept in a cookie"
    async with browsing(console(registry.url)) as other:
        assert '<html lang="en"' in (await other.get("/signin", headers={"accept-language": "en-GB,en;q=0.8"})).text


async def test_a_registry_that_does_not_answer_is_named_and_the_rest_keeps_working(registry):
    async with browsing(console(f"http://127.0.0.1:{free_port()}", service_timeout_s=2)) as client:
        form = await client.get("/signin")
        assert form.status_code == 200, "the sign-in page itself needs no service"
        r = await client.post("/signin", data={"csrf": csrf_of(form.text), "key": CURATOR_KEY})
        assert r.status_code == 503 and "Registret (registry) svarar inte" in r.text
        en = await client.post("/signin?lang=en", data={"csrf": csrf_of(form.text), "key": CURATOR_KEY})
        assert en.status_code == 503 and "The registry (registry) does not answer" in en.text
        ready = await client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["services"]["registry"] is False
        assert (await client.get("/healthz")).status_code == 200 and (await client.get("/console.css")).status_code == 200


def _version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)
