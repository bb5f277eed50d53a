"""Every service's OpenAPI, on the running services: it says which key each operation needs
(checked against what the service really does with an anonymous request). That every answer is
as the document says is Schemathesis' part: tests/integration/test_contracts_schemathesis.py.
"""

import re

import pytest

from shared.auth import Role

ROLE = {"registry": Role.curator, "scheduling": Role.scheduler, "notifications": Role.curator, "reporting": Role.analyst}
SKIP = {("reporting", "POST", "/v1/rebuild")}  # replays every topic: a benchmark, not a fuzz target
STAFF_KEY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer"}, "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}


def operations(spec: dict):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            yield method.upper(), path, op


@pytest.mark.parametrize("service", list(ROLE))
async def test_the_openapi_declares_the_api_key_schemes_and_each_operation_says_what_it_needs(platform, service):
    """A generated client sends the key where the document asks for one: the bearer scheme and
    the X-API-Key header are declared, every operation has an explicit ``security`` (``[]`` when
    no key is needed), and an anonymous request is refused with 401 exactly where one is needed."""
    http = platform.http[service]
    spec = (await http.get("/openapi.json")).json()
    schemes = spec.get("components", {}).get("securitySchemes", {})
    for name, expected in STAFF_KEY_SCHEMES.items():
        assert expected.items() <= schemes.get(name, {}).items(), (name, schemes)
    wrong = []
    for method, path, op in operations(spec):
        assert "security" in op, f"{method} {path} does not say whether it needs a key"
        needs = [r for r in op["security"] if r]
        optional = {} in op["security"]
        for requirement in needs:
            assert set(requirement) <= set(schemes), (method, path, requirement)
        if optional or (service, method, path) in SKIP:
            continue
        url = re.sub(r"\{[^}]+\}", "x", path)
        r = await http.request(method, url, json={} if method in ("POST", "PUT", "PATCH") else None)
        if (r.status_code == 401) != bool(needs):
            wrong.append(f"{method} {path}: declares {op['security']}, anonymous gets {r.status_code}")
    assert not wrong, "\n".join(wrong)


async def test_the_csv_export_is_declared_text_csv(platform):
    spec = (await platform.http["reporting"].get("/openapi.json")).json()
    declared = spec["paths"]["/v1/editions/{edition_id}/export.csv"]["get"]["responses"]["200"]["content"]
    assert list(declared) == ["text/csv"], declared
