"""Signing in to the console with the city's account: a real OpenID Connect provider
(``oidc-provider-mock``), the real registry taking its tokens, the console between them. The
flow is the authorization code flow with PKCE (S256), its state, nonce and verifier kept
server-side; the session then holds the access token as it holds a key, and the registry — not
the console — says who it is and what it may do."""

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.console import browsing, console, csrf_of, registry_on_a_port
from tests.oidc import CLIENT_ID, CLIENT_SECRET, CURATORS, ROLE_GROUPS, SCHEDULERS, provider, set_user


@pytest.fixture(scope="module")
async def city(infra, run_id):
    with provider() as issuer:
        async with registry_on_a_port(infra, f"{run_id}cc", oidc_issuer=issuer, oidc_role_groups=ROLE_GROUPS) as registry:
            yield issuer, registry


def city_console(city):
    issuer, registry = city
    # console_url "": the address asked (a CONSOLE_URL from `make env` in the shell names another console)
    return console(registry.url, oidc_issuer=issuer, oidc_client_id=CLIENT_ID, oidc_client_secret=CLIENT_SECRET, console_url="")


async def at_the_provider(client: httpx.AsyncClient, sub: str | None, deny: bool = False) -> httpx.Response:
    """Press the city's-account link, answer the provider's form as ``sub`` (or deny), and follow
    the provider's redirect back to the console; the console's answer."""
    start = await client.get("/signin/city")
    assert start.status_code == 303, start.text
    login_cookie = start.headers["set-cookie"].lower()
    assert "httponly" in login_cookie and "samesite=lax" in login_cookie and "path=/signin/city" in login_cookie
    authorize = start.headers["location"]
    async with httpx.AsyncClient(follow_redirects=False) as browser_at_provider:
        assert (await browser_at_provider.get(authorize)).status_code == 200
        answer = await browser_at_provider.post(authorize, data={"action": "deny"} if deny else {"sub": sub})
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == "http://127.0.0.1/signin/city/done"
    return await client.get(f"{back.path}?{back.query}")


async def test_the_link_shows_only_when_the_provider_is_configured(city):
    _, registry = city
    async with browsing(console(registry.url)) as client:
        page = await client.get("/signin")
        assert "/signin/city" not in page.text and "stadens konto" not in page.text
        assert (await client.get("/signin/city")).headers["location"] == "/signin"
    async with browsing(city_console(city)) as client:
        page = await client.get("/signin", headers={"accept-language": "en"})
        assert '<a class="button" href="/signin/city">Sign in with the city&#39;s account</a>' in page.text


async def test_the_flow_uses_pkce_state_and_nonce(city):
    async with browsing(city_console(city)) as client:
        start = await client.get("/signin/city")
        query = parse_qs(urlsplit(start.headers["location"]).query)
        assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
        assert query["state"][0] and query["nonce"][0] and query["client_id"] == [CLIENT_ID]
        assert "openid" in query["scope"][0].split()
        assert query["state"][0] not in start.headers["set-cookie"]  # the cookie names the login; the state stays here


async def test_a_curator_signs_in_with_the_city_account_and_works_as_a_curator(city):
    issuer, _ = city
    await set_user(issuer, "anna", groups=[CURATORS], name="Anna Lind")
    async with browsing(city_console(city)) as client:
        done = await at_the_provider(client, "anna")
        assert done.status_code == 200 and '<meta http-equiv="refresh" content="0; url=/">' in done.text
        cookies = done.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("om_console="))
        assert "httponly" in session.lower() and "samesite=strict" in session.lower()
        assert any(c.startswith("om_console_login=") and "max-age=0" in c.lower() for c in cookies)  # the login cookie ends
        home = await client.get("/")
        assert home.status_code == 200 and "Anna Lind" in home.text
        work = await client.get("/review")
        assert work.status_code == 200 and "<h1>Granskningslista</h1>" in work.text
        signout = await client.post("/signout", data={"csrf": csrf_of(home.text)})
        assert signout.status_code == 303
        assert (await client.get("/review")).headers["location"] == "/signin"


async def test_a_person_in_two_groups_reaches_both_roles_pages(city):
    issuer, _ = city
    await set_user(issuer, "bo", groups=[SCHEDULERS, CURATORS], name="Bo Ek")
    app = city_console(city)
    async with browsing(app) as client:
        assert (await at_the_provider(client, "bo")).status_code == 200
        assert (await client.get("/review")).status_code == 200
        assert (await client.get("/sources")).status_code == 200
        session = app.state.sessions.get(client.cookies["om_console"])
        assert session.role == "curator" and session.roles == ("curator", "scheduler")
        home = (await client.get("/")).text
        for link in ('href="/review"', 'href="/sources"', 'href="/schedule"', 'href="/plan"'):
            assert home.count(link) == 2, f"{link}: in the menu and on the home page, for each of the person's roles"
        assert 'href="/analysis"' not in home and 'href="/mine"' not in home


async def test_a_denial_at_the_provider_is_shown_on_the_sign_in_page(city):
    async with browsing(city_console(city)) as client:
        page = await at_the_provider(client, None, deny=True)
        assert page.status_code == 200 and 'id="city-error"' in page.text and "avbröts eller nekades" in page.text
        assert (await client.get("/review")).headers["location"] == "/signin"


async def test_a_person_with_no_mapped_group_is_not_signed_in(city):
    issuer, _ = city
    await set_user(issuer, "cecilia", groups=["om-visitors"], name="Cecilia")
    async with browsing(city_console(city)) as client:
        page = await at_the_provider(client, "cecilia")
        assert "ingen roll i Öppna Malmö" in page.text
        assert (await client.get("/review")).headers["location"] == "/signin"


async def test_a_callback_without_its_login_or_with_another_state_signs_no_one_in(city):
    issuer, _ = city
    await set_user(issuer, "anna", groups=[CURATORS])
    async with browsing(city_console(city)) as client:
        assert "försök igen" in (await client.get("/signin/city/done?code=x&state=y")).text.lower()
        start = await client.get("/signin/city")
        state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        page = await client.get(f"/signin/city/done?code=x&state={state}x")
        assert 'id="city-error"' in page.text and "tog för lång tid" in page.text
        replay = await client.get(f"/signin/city/done?code=x&state={state}")  # the login was taken once
        assert "tog för lång tid" in replay.text
        assert (await client.get("/review")).headers["location"] == "/signin"


async def test_the_key_form_still_works_beside_the_city_account(city):
    from shared.auth import Role
    from tests.platform import STAFF_KEYS

    async with browsing(city_console(city)) as client:
        form = await client.get("/signin")
        r = await client.post("/signin", data={"csrf": csrf_of(form.text), "key": STAFF_KEYS[Role.curator]})
        assert r.status_code == 303 and (await client.get("/review")).status_code == 200
        assert not re.search(r"access_token|id_token", (await client.get("/")).text)
