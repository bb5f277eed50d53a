"""A real OpenID Connect provider for tests (``oidc-provider-mock``: Authlib's server on a
thread), and an access token got from it the way a browser and a client get one: the
authorization endpoint's form sent with a subject, the redirect's code exchanged at the token
endpoint. Nothing of the protocol is mocked.

The provider is reached as ``http://localhost:<port>``: it names its issuer after the host it
was asked by, so every party (services, console, browser) uses that one address."""

import contextlib
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
from oidc_provider_mock import run_server_in_thread

CURATORS, SCHEDULERS, ANALYSTS = "om-curators", "om-schedulers", "om-analysts"
ROLE_GROUPS = {"curator": [CURATORS], "scheduler": [SCHEDULERS], "analyst": [ANALYSTS]}
CLIENT_ID, CLIENT_SECRET = "om-console-test", "not-a-secret"


@contextlib.contextmanager
def provider() -> Iterator[str]:
    """The provider on a free port; yields its issuer URL."""
    with run_server_in_thread(port=0) as server:
        yield f"http://localhost:{server.server_port}"


async def set_user(issuer: str, sub: str, **claims) -> None:
    """The person ``sub`` with these claims (e.g. ``groups``, ``name``) from now on."""
    async with httpx.AsyncClient(base_url=issuer) as http:
        r = await http.put(f"/users/{sub}", json=claims)
        assert r.status_code == 204, r.text


async def revoke(issuer: str, sub: str) -> None:
    async with httpx.AsyncClient(base_url=issuer) as http:
        assert (await http.post(f"/users/{sub}/revoke-tokens")).status_code == 204


async def access_token(issuer: str, sub: str, redirect_uri: str = "http://127.0.0.1/callback") -> str:
    """An access token for ``sub`` through the authorization code flow, as the console gets one."""
    state = secrets.token_urlsafe(16)
    query = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": redirect_uri, "scope": "openid profile", "state": state}
    async with httpx.AsyncClient(base_url=issuer, follow_redirects=False) as http:
        form = await http.get("/oauth2/authorize", params=query)
        assert form.status_code == 200, form.text
        answer = await http.post("/oauth2/authorize", params=query, data={"sub": sub})
        assert answer.status_code in (302, 303), answer.text
        back = parse_qs(urlsplit(answer.headers["location"]).query)
        assert back["state"] == [state]
        token = await http.post("/oauth2/token", data={"grant_type": "authorization_code", "code": back["code"][0],
                                                       "redirect_uri": redirect_uri}, auth=(CLIENT_ID, CLIENT_SECRET))
        assert token.status_code == 200, token.text
        return token.json()["access_token"]
