"""Every service's OpenAPI, on the running services: it says which key each operation needs
(checked against what the service really does with an anonymous request), and Schemathesis.

Each operation gets generated requests (bounded examples per operation) with a staff key of the
service's role, so they reach past 401; every answer must be no 5xx and conform to the schema
the service declares (routes that return a plain ``dict`` declare any object, so they conform
trivially). Hypothesis runs in a worker thread; each request is sent on the test's event loop,
where the services run.
"""

import asyncio
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from shared.auth import Role
from tests.platform import as_role

EXAMPLES = 15
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


@pytest.mark.parametrize("service", list(ROLE))
async def test_no_server_error_and_every_answer_conforms_to_the_schema(platform, service):
    http = platform.http[service]
    loop = asyncio.get_running_loop()
    spec = (await http.get("/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(spec)
    headers = as_role(ROLE[service])
    failures: list[str] = []
    ran = 0

    def fuzz_all() -> None:
        for result in schema.get_all_operations():
            op = result.ok()
            if (service, op.method.upper(), op.path) in SKIP:
                continue

            @settings(max_examples=EXAMPLES, database=None, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy())
            def one(case) -> None:
                nonlocal ran
                kwargs = case.as_transport_kwargs(base_url="http://service", headers=headers)
                request = {k: kwargs[k] for k in ("method", "url", "headers", "params", "content", "json") if k in kwargs}
                if "data" in kwargs:
                    request["data"] = kwargs["data"]
                response = asyncio.run_coroutine_threadsafe(http.request(**request), loop).result(timeout=60)
                ran += 1
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance, content_type_conformance])

            try:
                one()
            except Exception as e:  # collect every operation's first failure, then report them all
                failures.append(f"{op.method.upper()} {op.path}: {str(e)[:800]}")

    await asyncio.to_thread(fuzz_all)
    assert ran > 0
    assert not failures, "\n\n".join(failures)
