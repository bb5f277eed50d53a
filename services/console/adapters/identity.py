"""The city's identity provider (OpenID Connect) as the console signs people in with it, by Authlib.

The authorization code flow with PKCE (S256): ``start`` gives the provider's URL to send the
browser to and what the console must keep server-side until the callback (state, nonce, code
verifier); ``finish`` exchanges the code and validates the ID token — its signature by the
provider's JWKS, ``iss`` (the configured issuer, also checked against discovery), ``aud`` (this
client), ``exp`` and the nonce — and gives the access token, the credential the console then
sends to the services. Tokens are never logged; a provider that does not answer is
``ServiceAway("identity")``; an answer that cannot be trusted is ``IdentityRefused``.
"""

import logging
from dataclasses import dataclass, field

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError

from services.console.adapters.services import ServiceAway

SERVICE = "identity"  # how the pages name the provider when it does not answer


class IdentityRefused(Exception):
    """The provider refused, or its answer failed validation: the person is not signed in."""


@dataclass(frozen=True)
class Started:
    url: str  # the provider's authorization URL, for the browser
    state: str = field(repr=False)
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)


class CityIdentity:
    def __init__(self, issuer: str, client_id: str, client_secret: str, timeout_s: float):
        self.issuer = issuer.rstrip("/")
        logging.getLogger("authlib").setLevel(max(logging.INFO, logging.getLogger("authlib").getEffectiveLevel()))  # its debug lines name the PKCE verifier
        oauth = OAuth()
        self._client = oauth.register(
            "city", client_id=client_id, client_secret=client_secret,
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid profile", "code_challenge_method": "S256", "timeout": timeout_s},
        )

    async def start(self, redirect_uri: str) -> Started:
        """Where to send the browser; the rest is kept server-side for ``finish``."""
        try:
            await self._metadata()
            rv = await self._client.create_authorization_url(redirect_uri)
        except httpx.HTTPError:
            raise ServiceAway(SERVICE) from None
        return Started(rv["url"], rv["state"], rv["nonce"], rv["code_verifier"])

    async def finish(self, redirect_uri: str, code: str, started: Started) -> str:
        """The access token for ``code``, once the ID token that came with it is valid."""
        try:
            token = await self._client.fetch_access_token(redirect_uri=redirect_uri, code=code, code_verifier=started.code_verifier)
            claims = await self._client.parse_id_token(token, nonce=started.nonce)
        except httpx.HTTPError:
            raise ServiceAway(SERVICE) from None  # the request held the code and secret: not kept
        except (OAuthError, JoseError, ValueError, KeyError):
            raise IdentityRefused() from None
        if claims is None or not token.get("access_token"):
            raise IdentityRefused()
        return str(token["access_token"])

    async def _metadata(self) -> dict:
        metadata = await self._client.load_server_metadata()
        if str(metadata.get("issuer", "")).rstrip("/") != self.issuer:
            self._client.server_metadata.clear()
            raise IdentityRefused()  # discovery names another issuer: nothing it signs is trusted
        return metadata
