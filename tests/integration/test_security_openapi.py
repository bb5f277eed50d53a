"""Schemathesis against every service's OpenAPI, in process, on the running services.

Each operation gets generated requests (bounded examples per operation) with a staff key of the
service's role, so they reach past 401; every answer must be no 5xx and conform to the schema
the service declares (routes that return a plain ``dict`` declare any object, so they conform
trivially). Hypothesis runs in a worker thread; each request is sent on the test's event loop,
where the services run.
"""

import asyncio

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
