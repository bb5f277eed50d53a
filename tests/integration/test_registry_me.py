"""``GET /v1/me``: any valid key learns who it is; no key or a bad key is 401, as on every route."""

import uuid

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.platform import as_role, as_source, register_source, service_fixture

registry = service_fixture("registry", create_app, RegistrySettings, "me")


async def test_a_staff_key_is_its_role_and_no_source(registry):
    http = registry.http["registry"]
    for role in (Role.curator, Role.scheduler, Role.analyst):
        r = await http.get("/v1/me", headers=as_role(role))
        assert r.status_code == 200, r.text
        assert r.json() == {"role": role.value, "source": None, "name": None, "roles": [role.value], "person": None}


async def test_a_source_key_is_its_source_with_its_names(registry):
    source = f"urn:malmo:source:me-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry, source, name="Föreningen Ljus")
    r = await registry.http["registry"].get("/v1/me", headers=as_source(key))
    assert r.status_code == 200, r.text
    assert r.json() == {"role": "source", "source": source, "name": {"sv": "Föreningen Ljus", "en": "Föreningen Ljus"},
                        "roles": ["source"], "person": None}


async def test_no_key_or_a_bad_key_is_401(registry):
    http = registry.http["registry"]
    assert (await http.get("/v1/me")).status_code == 401
    r = await http.get("/v1/me", headers=as_source("om_nosuch_secretsecret"))
    assert r.status_code == 401 and r.json()["detail"][0]["code"] == "unauthenticated"


async def test_the_openapi_document_declares_it_with_the_key_schemes(registry):
    spec = (await registry.http["registry"].get("/openapi.json")).json()
    operation = spec["paths"]["/v1/me"]["get"]
    assert {"bearer": []} in operation["security"] and {"apiKey": []} in operation["security"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Me")
