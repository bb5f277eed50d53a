"""The identity provider's people as the services see them: groups map to roles by a pure
function; a person may hold several roles and a route needing any of them accepts them; a token
is cached by its SHA-256 only, for at most the configured time."""

import hashlib

import pytest
from pydantic import ValidationError

from shared.auth import Authenticator, Principal, ProviderAway, Role
from shared.oidc import UserinfoVerifier, groups_in, principal_of, roles_of
from shared.settings import ServiceSettings

GROUPS = {Role.curator: ["om-curators"], Role.scheduler: ["om-schedulers", "om-planning"], Role.analyst: ["om-analysts"]}


def test_groups_map_to_roles_in_role_order_and_unmapped_groups_give_none():
    assert roles_of(["om-curators"], GROUPS) == (Role.curator,)
    assert roles_of(["om-planning", "om-curators", "other"], GROUPS) == (Role.curator, Role.scheduler)
    assert roles_of(["other", "om-CURATORS"], GROUPS) == ()  # names match exactly
    assert roles_of([], GROUPS) == ()
    assert roles_of(["src"], {Role.source: ["src"]}) == ()  # a publisher is its key, never a group


def test_the_groups_claim_is_a_list_or_one_name():
    assert groups_in({"groups": ["a", 1, "b"]}, "groups") == ["a", "b"]
    assert groups_in({"roles": "a"}, "roles") == ["a"]
    assert groups_in({"groups": {"a": 1}}, "groups") == [] and groups_in({}, "groups") == []


def test_a_person_is_their_subject_their_roles_and_their_name():
    p = principal_of({"sub": "anna", "groups": ["om-planning", "om-curators"], "name": "Anna"}, "groups", GROUPS)
    assert p == Principal(Role.curator, "oidc:anna", roles=frozenset({Role.curator, Role.scheduler}), name="Anna")
    assert p.has_any((Role.scheduler,)) and p.has_any((Role.curator, Role.analyst)) and not p.has_any((Role.analyst, Role.source))
    assert principal_of({"sub": "bo", "groups": ["other"]}, "groups", GROUPS) is None
    assert principal_of({"groups": ["om-curators"]}, "groups", GROUPS) is None  # no subject


def test_a_key_has_its_one_role_as_before():
    p = Principal(Role.source, "k1", "urn:x")
    assert p.roles == frozenset({Role.source}) and p.source == "urn:x" and p.name is None


class Counting(UserinfoVerifier):
    """The real verifier with the provider's answer given (the protocol is tested against a real
    provider in tests/integration/test_security_oidc.py); counts the calls."""

    def __init__(self, claims, **kw):
        super().__init__("http://idp", GROUPS, **kw)
        self.claims, self.calls = claims, 0

    async def _claims(self, token):
        self.calls += 1
        if self.claims is ProviderAway:
            raise ProviderAway()
        return self.claims


async def test_a_verified_token_is_kept_by_its_hash_for_the_cache_time_only():
    now = [100.0]
    v = Counting({"sub": "anna", "groups": ["om-curators"]}, cache_s=30, clock=lambda: now[0])
    token = "opaque-token-value"
    assert (await v.principal(token)).key_id == "oidc:anna"
    assert (await v.principal(token)).key_id == "oidc:anna" and v.calls == 1
    assert list(v._cache) == [hashlib.sha256(token.encode()).hexdigest()] and token not in repr(v._cache)
    now[0] += 31
    await v.principal(token)
    assert v.calls == 2


async def test_nothing_is_kept_with_no_cache_time_and_refusals_are_never_kept():
    v = Counting({"sub": "anna", "groups": ["om-curators"]}, cache_s=0)
    await v.principal("t")
    await v.principal("t")
    assert v.calls == 2 and not v._cache
    refused = Counting({"sub": "bo", "groups": ["other"]})
    assert await refused.principal("t") is None and not refused._cache


async def test_keys_never_go_to_the_provider_and_a_provider_away_is_not_a_refusal():
    away = Counting(ProviderAway)
    a = Authenticator({}, tokens=away)
    assert await a.principal("om_nosuch_secret") is None and away.calls == 0
    with pytest.raises(ProviderAway):
        await a.principal("opaque-token")
    assert await a.principal("x" * 10_000) is None and away.calls == 1  # too long to be a token: not asked


def settings(**values) -> ServiceSettings:
    return ServiceSettings(service_name="t", mongodb_database="t", **values)


def test_the_settings_read_the_mapping_as_json_and_refuse_a_publisher_group(monkeypatch):
    monkeypatch.setenv("OIDC_ROLE_GROUPS", '{"curator": ["om-curators"], "analyst": ["om-analysts"]}')
    monkeypatch.setenv("OIDC_ISSUER", "https://login.malmo.se/")
    s = settings()
    assert s.oidc_role_groups == {Role.curator: ["om-curators"], Role.analyst: ["om-analysts"]}
    assert s.oidc_issuer == "https://login.malmo.se" and s.oidc_cache_seconds <= 60
    with pytest.raises(ValidationError):
        settings(oidc_role_groups={"source": ["x"]})
    with pytest.raises(ValidationError):
        settings(oidc_cache_seconds=61)
