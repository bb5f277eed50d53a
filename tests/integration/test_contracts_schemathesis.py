"""Each running service answers as its OpenAPI document says: Schemathesis, as an integrator runs it.

The four services run on the ``platform`` fixture (the real broker and database); each is served
on a free local port and ``schemathesis run`` (its command line, as a city integrator would use
it) goes through every operation of its served ``/openapi.json`` with every check and every phase:
the documented examples, the coverage of each schema's edges (and of methods a path lacks),
generated fuzzing, and stateful sequences following the document's links. Each operation gets the
key of the role it is for (a publisher's key where the operation is the publisher's, the service's
staff role otherwise). Derandomized (a fixed seed, deterministic generation) and bounded (examples
per operation), so CI's time is the same from run to run; the run must end with no failure.

One service's part: ``pytest -q tests/integration/test_contracts_schemathesis.py -k registry``; set
``SCHEMATHESIS_REPORT=<dir>`` to keep its JUnit and NDJSON reports there.
"""

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from shared.auth import Role
from tests.platform import STAFF_KEYS, register_source

MAX_EXAMPLES = 20
# An answer this late is a hung request, not a slow one (speed is benchmarks/' business, not a test's).
HUNG_S = 60
SEED = 15
ROLE = {"registry": Role.curator, "scheduling": Role.scheduler, "notifications": Role.curator, "reporting": Role.analyst}
# Operations a publisher calls (its own key).
PUBLISHER_OPERATIONS = {"registry": ["POST /v1/submissions", "POST /v1/initiatives/{initiative_id}/report"],
                        "scheduling": ["GET /v1/my/sessions"]}
# Operations whose every call is heavy work, given a few examples only (still every check and phase).
FEW_EXAMPLES = {"reporting": ["POST /v1/rebuild"]}
# Rules JSON Schema has no words for (one field against another, a phone number by libphonenumber):
# on exactly these operations a schema-valid request may be refused 422 naming the rule
# (docs/decisions/0016-openapi-truth.md); every other check stays on.
BEYOND_SCHEMA = {
    # The CloudEvent's data: what it must hold depends on its type, and its codes on the live vocabularies.
    "registry": ["POST /v1/submissions"],
    "scheduling": ["POST /v1/editions", "PATCH /v1/editions/{edition_id}", "POST /v1/venues", "PUT /v1/venues/{venue_id}",
                   "POST /v1/sessions", "PATCH /v1/sessions/{session_id}", "POST /v1/sessions/{session_id}/registrations",
                   "POST /v1/contacts/erase"],
    "notifications": ["POST /v1/subscriptions", "POST /v1/erasure", "GET /v1/feedback/comments"],
}
ACCEPTED_ALSO_422 = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]


@contextlib.asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The app (already started by the platform) served on a free local port, on this event loop."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def _toml(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def config(service: str, headers: dict[str, dict[str, str]]) -> str:
    """``schemathesis.toml``: the staff role's key everywhere, other headers on the operations named
    in ``headers`` (a publisher's key, a webhook's secret)."""
    lines = [f"headers = {_toml({'Authorization': f'Bearer {STAFF_KEYS[ROLE[service]]}'})}",
             "[generation]", f"max-examples = {MAX_EXAMPLES}", "deterministic = true", "database = \"none\"",
             # U+0000 in any text is refused (422 forbidden_character: the database cannot store it), which
             # no schema here says: not generated (docs/decisions/0016-openapi-truth.md).
             "allow-x00 = false"]
    for name, extra in headers.items():
        lines += ["[[operations]]", f"include-name = {_toml(name)}", f"headers = {_toml(extra)}"]
    for name in FEW_EXAMPLES.get(service, []):
        lines += ["[[operations]]", f"include-name = {_toml(name)}", "generation.max-examples = 2"]
    for name in BEYOND_SCHEMA.get(service, []):
        lines += ["[[operations]]", f"include-name = {_toml(name)}",
                  f"checks.positive_data_acceptance.expected-statuses = [{', '.join(map(_toml, ACCEPTED_ALSO_422))}]"]
    return "\n".join(lines) + "\n"


async def schemathesis(url: str, config_file: Path, reports: Path) -> tuple[int, str]:
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config_file), "run", f"{url}/openapi.json",
        "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful", "--seed", str(SEED), "--workers", "1",
        "--suppress-health-check", "all", "--request-timeout", str(HUNG_S), "--max-response-time", str(HUNG_S), "--no-color", "--output-truncate", "true",
        "--report", "junit,ndjson", "--report-dir", str(reports),
    ]
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await process.communicate()
    return process.returncode, output.decode(errors="replace")


async def prepared(platform, service: str) -> dict[str, dict[str, str]]:
    """What the run needs beyond its keys: a publisher (its key for its operations), scheduling's
    published session with a registration (or every id is 404), notifications' webhook secret."""
    source = f"urn:malmo:source:schemathesis-{service}-{platform.run_id}"
    headers: dict[str, dict[str, str]] = {}
    if service in PUBLISHER_OPERATIONS:
        key = await register_source(platform, source)
        headers |= {name: {"Authorization": f"Bearer {key}"} for name in PUBLISHER_OPERATIONS[service]}
    if service == "scheduling":
        from tests.integration.test_scheduling_support import published_session

        http = platform.http["scheduling"]
        session = await published_session(http, platform.kafka, 50, source=source)
        r = await http.post(f"/v1/sessions/{session['session_id']}/registrations", json={"name": "A", "email": "a@example.org"})
        assert r.status_code in (200, 201), r.text
    if service == "notifications":
        headers["POST /v1/sms/receipts"] = {"X-Webhook-Secret": platform.settings["notifications"].sms_webhook_secret}
    return headers


@pytest.mark.parametrize("service", list(ROLE))
async def test_every_operation_answers_as_its_document_says(platform, service, tmp_path):
    headers = await prepared(platform, service)
    config_file = tmp_path / "schemathesis.toml"
    config_file.write_text(config(service, headers))
    reports = Path(os.environ.get("SCHEMATHESIS_REPORT") or tmp_path / "reports")
    async with served(platform.apps[service]) as url:
        code, output = await schemathesis(url, config_file, reports)
    assert "API Operations" in output and "Test cases" in output, output[-3000:]
    assert code == 0, output[-20000:]
