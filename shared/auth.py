"""Who is calling: API keys for publishers (sources) and for staff roles, checked the same way.

A key reads ``om_<key_id>_<secret>``. Only a SHA-256 of the whole key is stored (keys are 32
random bytes, so a fast hash is enough; nothing to brute-force), looked up by ``key_id`` and
compared in constant time. Staff keys (curator, scheduler, analyst) come from the
``STAFF_API_KEYS`` setting; a service may add a resolver for keys it stores itself (the
registry keeps its sources' keys). Send it as ``Authorization: Bearer <key>`` or ``X-API-Key``.

A bearer that is not an ``om_…`` key may be the city's identity provider's access token: with a
``TokenVerifier`` (``shared.oidc``, on when ``OIDC_ISSUER`` is set) it is checked there and the
person's groups give their roles — one person may hold several (docs/decisions/0012-oidc-userinfo.md).
"""

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Protocol

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

# The two ways to present a key, as OpenAPI security schemes: a route that needs a key depends on
# both, so its operation lists them and a generated client sends the key. auto_error=False: the
# key is checked below (401 with our reasons, not FastAPI's 403).
BEARER = HTTPBearer(scheme_name="bearer", bearerFormat="om_<key_id>_<secret>", auto_error=False,
                    description="An API key as `Authorization: Bearer <key>`.")
API_KEY_HEADER = APIKeyHeader(name="X-API-Key", scheme_name="apiKey", auto_error=False,
                              description="The same API key in the `X-API-Key` header.")


class Role(StrEnum):
    source = "source"  # a publisher: submits and withdraws its own initiatives
    curator = "curator"  # the city office: reviews and stamps, manages sources and vocabularies
    scheduler = "scheduler"  # builds the forum programme
    analyst = "analyst"  # reads unsuppressed figures


class StaffKey(BaseModel):
    role: Role
    sha256: str


@dataclass(frozen=True)
class Principal:
    """Who calls. ``role`` is the first of ``roles`` (a key has one; a person signed in with the
    identity provider may have several, and a route needing any of them accepts them)."""

    role: Role
    key_id: str  # a key's id, or ``oidc:<sub>`` for a person signed in with the identity provider
    source: str | None = None  # the CloudEvents source a publisher's key belongs to
    roles: frozenset[Role] = frozenset()  # every role; always holds ``role``
    name: str | None = None  # a person's name, as the identity provider gives it

    def __post_init__(self):
        object.__setattr__(self, "roles", frozenset(self.roles) | {self.role})

    def has_any(self, roles) -> bool:
        return not self.roles.isdisjoint(roles)


@dataclass(frozen=True)
class StoredKey:
    key_id: str
    sha256: str
    principal: Principal
    revoked: bool = False


Resolver = Callable[[str], Awaitable[StoredKey | None]]


class TokenVerifier(Protocol):
    async def principal(self, token: str) -> Principal | None:
        """The person a token names, None when it is not valid (or names no role);
        ``ProviderAway`` when the provider cannot say."""


class ProviderAway(Exception):
    """The identity provider did not answer: the caller gets 503, not 401 (the token may be fine)."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(key_id: str | None = None) -> tuple[str, str]:
    """A new key and its id: the key is shown once, only its hash is kept."""
    key_id = key_id or secrets.token_hex(6)
    return key_id, f"om_{key_id}_{secrets.token_urlsafe(32)}"


def key_id_of(key: str) -> str | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "om" or not parts[1] or not parts[2]:
        return None
    return parts[1]


class Authenticator:
    def __init__(self, staff: dict[str, StaffKey], resolver: Resolver | None = None, tokens: TokenVerifier | None = None):
        self._staff = staff
        self._resolver = resolver
        self._tokens = tokens  # None: only keys (no identity provider configured)

    def use_resolver(self, resolver: Resolver) -> None:
        self._resolver = resolver

    async def principal(self, key: str | None) -> Principal | None:
        if not key:
            return None
        key_id = key_id_of(key)
        if key_id is None:
            return await self._tokens.principal(key) if self._tokens is not None else None
        stored: StoredKey | None = None
        if key_id in self._staff:
            staff = self._staff[key_id]
            stored = StoredKey(key_id, staff.sha256, Principal(staff.role, key_id))
        elif self._resolver is not None:
            stored = await self._resolver(key_id)
        # Compare even when nothing was found, so timing does not tell which key ids exist.
        expected = stored.sha256 if stored else hash_key(secrets.token_hex(16))
        if not hmac.compare_digest(expected, hash_key(key)) or stored is None or stored.revoked:
            return None
        return stored.principal


def presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key")


async def _checked(authenticator: Authenticator, key: str | None) -> Principal | None:
    """The principal, or None; 503 when the identity provider cannot say whether a token is valid."""
    try:
        return await authenticator.principal(key)
    except ProviderAway:
        raise HTTPException(
            503,
            detail=[{"field": "authorization", "code": "unavailable", "message": "The identity provider does not answer; try again soon"}],
            headers={"Retry-After": "5"},
        ) from None


def require(authenticator: Authenticator, *roles: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A FastAPI dependency: 401 without a valid key, 403 with a key of another role.

    The two security parameters only declare the schemes (OpenAPI); the key is read from the
    request, so the dependency can also be called as ``require(...)(request)``."""

    async def dependency(
        request: Request,
        _bearer: HTTPAuthorizationCredentials | None = Security(BEARER),
        _api_key: str | None = Security(API_KEY_HEADER),
    ) -> Principal:
        principal = await _checked(authenticator, presented_key(request))
        if principal is None:
            raise HTTPException(
                401,
                detail=[{"field": "authorization", "code": "unauthenticated", "message": "A valid API key is required"}],
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not principal.has_any(roles):
            raise HTTPException(
                403,
                detail=[{"field": "authorization", "code": "forbidden", "message": f"This needs the role {' or '.join(roles)}"}],
            )
        return principal

    return dependency


async def _declares_the_key_schemes(
    _bearer: HTTPAuthorizationCredentials | None = Security(BEARER), _api_key: str | None = Security(API_KEY_HEADER)
) -> None:
    """Nothing to check: only lists the key schemes on the operation."""


# Route arguments for a route anyone may call that answers more to a key (it reads the key itself):
# its operation lists the key schemes and ``{}`` (no key), as OpenAPI writes "optional".
KEY_OPTIONAL = {"dependencies": [Depends(_declares_the_key_schemes)], "openapi_extra": {"security": [{}]}}


def identify(authenticator: Authenticator) -> Callable[[Request], Awaitable[Principal | None]]:
    """A FastAPI dependency for routes anyone may call, where a key shows more: None without a key,
    the principal with a valid one, 401 with a key that is not valid (a caller who sent one wants
    to know it failed, not silently get the public's answer)."""

    async def dependency(request: Request) -> Principal | None:
        key = presented_key(request)
        if not key:
            return None
        principal = await _checked(authenticator, key)
        if principal is None:
            raise HTTPException(
                401,
                detail=[{"field": "authorization", "code": "unauthenticated", "message": "This API key is not valid (send none to read as the public)"}],
                headers={"WWW-Authenticate": "Bearer"},
            )
        return principal

    return dependency


# For module-level routers: the service's ``Authenticator`` is ``app.state.auth``, put there by its
# composition root, and these dependencies read it per request.
def _require_on_app(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    async def dependency(
        request: Request,
        _bearer: HTTPAuthorizationCredentials | None = Security(BEARER),  # declare the key schemes (OpenAPI)
        _api_key: str | None = Security(API_KEY_HEADER),
    ) -> Principal:
        return await require(request.app.state.auth, *roles)(request)

    return dependency


async def _identify_on_app(request: Request) -> Principal | None:
    return await identify(request.app.state.auth)(request)


def RequiresRole(*roles: Role):  # noqa: N802 - reads like a type in signatures
    """``Annotated[Principal, …]`` for a route that needs a key of one of ``roles`` (401/403 otherwise)."""
    return Annotated[Principal, Depends(_require_on_app(*roles))]


# A route anyone may call where a valid key shows more (None without a key, 401 with a bad one).
MaybeCaller = Annotated[Principal | None, Depends(_identify_on_app)]
