"""The services take the city's identity provider's access tokens — a real provider
(``oidc-provider-mock``), a real registry on a real port, the token got through the
authorization code flow: the person's groups give their roles, and the services alone decide
what they may do (403 for another role's route, 401 with no mapped group, 401 once revoked and
the cache time passed, 503 while the provider does not answer). No token in a log."""

import asyncio
import contextlib
import uuid

import pytest

from shared.auth import Role
from tests.browser import free_port
from tests.console import registry_on_a_port
from tests.oidc import ANALYSTS, CURATORS, ROLE_GROUPS, SCHEDULERS, access_token, provider, revoke, set_user
from tests.platform import as_role, submission

CACHE_S = 1


@pytest.fixture(scope="module")
async def city(infra, run_id):
    with provider() as issuer:
        async with registry_on_a_port(infra, f"{run_id}oi", oidc_issuer=issuer, oidc_role_groups=ROLE_GROUPS,
                                      oidc_cache_seconds=CACHE_S) as registry:
            yield issuer, registry


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def person(issuer: str, *groups: str, name: str = "Anna Lind") -> tuple[str, str]:
    sub = f"p-{uuid.uuid4().hex[:8]}"
    await set_user(issuer, sub, groups=list(groups), name=name)
    return sub, await access_token(issuer, sub)


async def test_a_curators_token_works_on_a_curators_route_and_says_who_it_is(city):
    issuer, registry = city
    sub, token = await person(issuer, CURATORS, "unrelated")
    r = await registry.http.get("/v1/sources", headers=bearer(token))
    assert r.status_code == 200, r.text
    me = (await registry.http.get("/v1/me", headers=bearer(token))).json()
    assert me == {"role": "curator", "source": None, "name": None, "roles": ["curator"], "person": "Anna Lind"}


async def test_another_roles_route_is_403_and_the_service_decides_it(city):
    issuer, registry = city
    _, token = await person(issuer, CURATORS)
    r = await registry.http.post("/v1/submissions", json=submission("urn:malmo:source:oidc", "O-1"), headers=bearer(token))
    assert r.status_code == 403 and r.json()["detail"][0]["code"] == "forbidden"
    _, analyst = await person(issuer, ANALYSTS)
    assert (await registry.http.get("/v1/sources", headers=bearer(analyst))).status_code == 403


async def test_a_person_in_two_groups_holds_both_roles(city):
    issuer, registry = city
    _, token = await person(issuer, SCHEDULERS, CURATORS)
    assert (await registry.http.get("/v1/sources", headers=bearer(token))).status_code == 200
    me = (await registry.http.get("/v1/me", headers=bearer(token))).json()
    assert me["roles"] == ["curator", "scheduler"] and me["role"] == "curator"


async def test_no_mapped_group_or_a_token_the_provider_never_issued_is_401(city):
    issuer, registry = city
    _, token = await person(issuer, "om-something-else")
    for t in (token, "not-a-token-it-issued", token + "x"):
        r = await registry.http.get("/v1/me", headers=bearer(t))
        assert r.status_code == 401 and r.json()["detail"][0]["code"] == "unauthenticated", t


async def test_a_revoked_token_stops_working_once_the_cache_time_has_passed(city):
    issuer, registry = city
    sub, token = await person(issuer, CURATORS)
    assert (await registry.http.get("/v1/sources", headers=bearer(token))).status_code == 200
    await revoke(issuer, sub)
    # Believed for at most the cache time (docs/decisions/0012-oidc-userinfo.md), then refused.
    await asyncio.sleep(CACHE_S + 0.2)
    assert (await registry.http.get("/v1/sources", headers=bearer(token))).status_code == 401


async def test_keys_still_work_beside_tokens(city):
    _, registry = city
    assert (await registry.http.get("/v1/sources", headers=as_role(Role.curator))).status_code == 200
    assert (await registry.http.get("/v1/me", headers=bearer("om_nosuch_secretsecret"))).status_code == 401


async def test_the_provider_away_is_503_not_401_and_keys_still_work(infra, run_id, capfd):
    closed = f"http://localhost:{free_port()}"
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(
            registry_on_a_port(infra, f"{run_id}oa", oidc_issuer=closed, oidc_role_groups=ROLE_GROUPS))
        r = await registry.http.get("/v1/sources", headers=bearer("a-token-nobody-can-check-now"))
        assert r.status_code == 503 and r.json()["detail"][0]["code"] == "unavailable"
        assert (await registry.http.get("/v1/sources", headers=as_role(Role.curator))).status_code == 200
    out, err = capfd.readouterr()
    assert "a-token-nobody-can-check-now" not in out + err


async def test_no_token_reaches_a_log(city, capfd):
    issuer, registry = city
    _, token = await person(issuer, CURATORS)
    await registry.http.get("/v1/sources", headers=bearer(token))
    await registry.http.get("/v1/me", headers=bearer(token + "x"))
    out, err = capfd.readouterr()
    assert token not in out + err
