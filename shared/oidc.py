"""The city's identity provider (OpenID Connect) as the services see it: an access token is
checked at the provider's userinfo endpoint, and the person's groups give their roles.

Contract:
- ``roles_of(groups, role_groups)`` is pure: the roles whose configured groups meet the person's,
  in ``Role`` order; no mapped group → no role → the token is not valid (401, as a bad key).
- The userinfo endpoint is found once by discovery (``<issuer>/.well-known/openid-configuration``,
  whose ``issuer`` must be the configured one). A token the provider refuses (401/403) is not
  valid; a provider that does not answer (or answers 5xx) raises ``ProviderAway`` (503).
- A verified token's principal is kept for ``cache_s`` seconds (≤ 60), keyed by the token's
  SHA-256 — never the token itself — so a page of API calls costs one userinfo call; a token the
  provider revokes keeps working for at most that long (docs/decisions/0012-oidc-userinfo.md).
- The token is never logged nor kept: it goes only in the ``Authorization`` header to the provider.
"""

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx

from shared.auth import Authenticator, Principal, ProviderAway, Resolver, Role
from shared.settings import ServiceSettings

MAX_TOKEN_LENGTH = 8192  # longer is no provider's token: refused without asking
MAX_CACHED = 10_000


def roles_of(groups: Iterable[str], role_groups: Mapping[Role, Iterable[str]]) -> tuple[Role, ...]:
    """The roles a person in ``groups`` holds, in ``Role`` order (publishers' role never: it is a key's)."""
    held = set(groups)
    return tuple(role for role in Role if role != Role.source and not held.isdisjoint(role_groups.get(role, ())))


def groups_in(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The person's groups from the userinfo claims: a list of names, or one name."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [g for g in value if isinstance(g, str)]
    return []


def principal_of(claims: Mapping[str, Any], claim: str, role_groups: Mapping[Role, Iterable[str]]) -> Principal | None:
    """The principal the userinfo claims describe; None without a subject or a mapped group."""
    sub, roles = claims.get("sub"), roles_of(groups_in(claims, claim), role_groups)
    if not isinstance(sub, str) or not sub or not roles:
        return None
    name = claims.get("name")
    return Principal(roles[0], f"oidc:{sub}", roles=frozenset(roles), name=name if isinstance(name, str) else None)


class UserinfoVerifier:
    """``TokenVerifier`` (shared.auth) asking the provider's userinfo endpoint, with a short cache."""

    def __init__(self, issuer: str, role_groups: Mapping[Role, Iterable[str]], *, groups_claim: str = "groups",
                 cache_s: float = 30, timeout_s: float = 5, clock: Callable[[], float] = time.monotonic):
        self._issuer = issuer.rstrip("/")
        self._role_groups = {Role(role): tuple(groups) for role, groups in role_groups.items()}
        self._claim = groups_claim
        self._cache_s = cache_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._userinfo: str | None = None  # found by discovery, once
        self._cache: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    async def principal(self, token: str) -> Principal | None:
        if len(token) > MAX_TOKEN_LENGTH or not token.isascii() or not token.isprintable():
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        self._cache.pop(digest, None)
        claims = await self._claims(token)
        principal = principal_of(claims, self._claim, self._role_groups) if claims is not None else None
        if principal is not None and self._cache_s > 0:
            while len(self._cache) >= MAX_CACHED:
                self._cache.popitem(last=False)
            self._cache[digest] = (self._clock() + self._cache_s, principal)
        return principal

    async def _claims(self, token: str) -> dict | None:
        async with httpx.AsyncClient(timeout=self._timeout_s, follow_redirects=False) as http:
            try:
                userinfo = self._userinfo or await self._discover(http)
                r = await http.get(userinfo, headers={"authorization": f"Bearer {token}", "accept": "application/json"})
            except httpx.HTTPError:
                raise ProviderAway() from None  # the request held the token: the exception is not kept
        if r.status_code in (400, 401, 403):
            return None
        if r.status_code != 200:
            raise ProviderAway()
        try:
            claims = r.json()
        except ValueError:
            raise ProviderAway() from None
        return claims if isinstance(claims, dict) else None

    async def _discover(self, http: httpx.AsyncClient) -> str:
        r = await http.get(f"{self._issuer}/.well-known/openid-configuration")
        if r.status_code != 200:
            raise ProviderAway()
        metadata = r.json()
        if str(metadata.get("issuer", "")).rstrip("/") != self._issuer or not metadata.get("userinfo_endpoint"):
            raise ProviderAway()  # another provider, or none with a userinfo endpoint: nothing to trust
        self._userinfo = str(metadata["userinfo_endpoint"])
        return self._userinfo


def authenticator(settings: ServiceSettings, resolver: Resolver | None = None) -> Authenticator:
    """A service's ``Authenticator``: its staff keys, its own keys (``resolver``), and the identity
    provider's tokens when ``OIDC_ISSUER`` is set."""
    tokens = UserinfoVerifier(settings.oidc_issuer, settings.oidc_role_groups, groups_claim=settings.oidc_groups_claim,
                              cache_s=settings.oidc_cache_seconds, timeout_s=settings.oidc_timeout_s) if settings.oidc_issuer else None
    return Authenticator(settings.staff_api_keys, resolver, tokens)
