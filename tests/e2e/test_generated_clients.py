"""An integrator's generated client works: each service's served OpenAPI document generates a Python
client with openapi-python-client without a warning, and the registry's generated client alone
carries a publisher's and a curator's whole flow (register a source, submit, review, revise,
approve, list, find)."""

import asyncio
import importlib
import json
import pkgutil
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from shared.auth import Role
from tests.platform import STAFF_KEYS, submission

SERVICES = ["registry", "scheduling", "notifications", "reporting"]


def _generate(document: dict, service: str, folder: Path) -> subprocess.CompletedProcess:
    """openapi-python-client as an integrator runs it, into ``folder/<service>_client`` (no formatter
    hook: its output is the generator's own)."""
    (folder / f"{service}.json").write_text(json.dumps(document))
    (folder / f"{service}.yml").write_text(f"package_name_override: {service}_client\npost_hooks: []\n")
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none",
               "--path", str(folder / f"{service}.json"), "--config", str(folder / f"{service}.yml"),
               "--output-path", str(folder / f"{service}_client")]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
async def generated(platform, tmp_path_factory):
    """``await generated(service)``: that service's client package, generated once from the document
    the running service serves at /openapi.json."""
    folder = tmp_path_factory.mktemp("generated_clients")
    sys.path.insert(0, str(folder))
    made: dict[str, ModuleType] = {}

    async def client_of(service: str) -> ModuleType:
        if service not in made:
            served = await platform.http[service].get("/openapi.json")
            assert served.status_code == 200
            done = await asyncio.to_thread(_generate, served.json(), service, folder)
            said = done.stdout + done.stderr
            assert done.returncode == 0, said
            assert "warning" not in said.lower() and "error" not in said.lower(), said
            made[service] = importlib.import_module(f"{service}_client")
            for module in pkgutil.walk_packages(made[service].__path__, f"{service}_client."):
                importlib.import_module(module.name)  # every operation's module imports
        return made[service]

    yield client_of
    sys.path.remove(str(folder))


def _signed_in(package: ModuleType, platform, service: str, key: str):
    """The generated client, with a key, talking to the service running in this test's loop."""
    transport = httpx.ASGITransport(app=platform.apps[service])
    return package.AuthenticatedClient(base_url="http://service", token=key, httpx_args={"transport": transport})


@pytest.mark.parametrize("service", SERVICES)
async def test_each_services_document_generates_a_client_that_answers(platform, generated, service):
    package = await generated(service)
    healthz = importlib.import_module(f"{service}_client.api.operations.healthz_healthz_get")
    async with _signed_in(package, platform, service, STAFF_KEYS[Role.analyst]) as client:
        answered = await healthz.asyncio_detailed(client=client)
    assert answered.status_code == 200 and json.loads(answered.content)["service"] == service


async def test_a_publisher_and_a_curator_work_through_the_generated_registry_client(platform, generated):
    package = await generated("registry")
    api = lambda name: importlib.import_module(f"registry_client.api.{name}")  # noqa: E731
    models = importlib.import_module("registry_client.models")
    source = f"urn:malmo:source:generated-{uuid.uuid4().hex[:6]}"
    external_id = f"GEN-{uuid.uuid4().hex[:6]}"

    async with _signed_in(package, platform, "registry", STAFF_KEYS[Role.curator]) as curator:
        registered = await api("sources.register_v1_sources_post").asyncio_detailed(client=curator, body=models.SourceIn(
            source=source, kind=models.OrganizerKind("administration"), name=models.SourceNames(sv="Generat", en="Generated")))
        assert registered.status_code == 201, registered.content
        key = registered.parsed.to_dict()["api_key"]

        async with _signed_in(package, platform, "registry", key) as publisher:
            accepted = await _submit(api, models, publisher, submission(source, external_id))
            initiative_id = accepted.initiative_id

            await _review(api, models, curator, initiative_id, "in_review", "in_review")
            await _review(api, models, curator, initiative_id, "changes_requested", "changes_requested",
                          comment="Lägg till en plats, tack.")
            revised = {"sv": "Samtal i Rosengårds bibliotek.", "en": "Talks in the Rosengård library."}
            await _submit(api, models, publisher, submission(source, external_id, revision=2, summary=revised))
            own = await api("initiatives.get_initiative_v1_initiatives_initiative_id_get").asyncio_detailed(
                initiative_id, client=publisher)
            assert own.status_code == 200 and own.parsed.to_dict()["status"] == "submitted"

        waiting = await api("review.queue_v1_review_queue_get").asyncio_detailed(client=curator, source=source)
        assert waiting.status_code == 200
        assert [i["initiative_id"] for i in waiting.parsed.to_dict()["items"]] == [initiative_id]
        await _review(api, models, curator, initiative_id, "in_review", "in_review")
        await _review(api, models, curator, initiative_id, "approved", "approved")

        listed = await api("initiatives.list_initiatives_v1_initiatives_get").asyncio_detailed(client=curator, source=source)
        assert listed.status_code == 200
        assert [(i["initiative_id"], i["status"]) for i in (item.to_dict() for item in listed.parsed.items)] == [
            (initiative_id, "approved")]
        found = await api("initiatives.lookup_v1_lookup_get").asyncio_detailed(client=curator, source=source, external_id=external_id)
        assert found.status_code == 200
        assert found.parsed.to_dict()["initiative_id"] == initiative_id
        assert found.parsed.to_dict()["revision"] == 2
        assert found.parsed.to_dict()["content"]["summary"] == revised


async def _submit(api, models, publisher, event: dict):
    answered = await api("submissions.submit_v1_submissions_post").asyncio_detailed(
        client=publisher, body=models.CloudEvent.from_dict(event))
    assert answered.status_code == 202, answered.content
    assert answered.parsed.id == event["id"] and answered.parsed.duplicate is False
    return answered.parsed


async def _review(api, models, curator, initiative_id: str, decision: str, status: str, comment: str = "") -> None:
    answered = await api("review.review_v1_initiatives_initiative_id_review_post").asyncio_detailed(
        initiative_id, client=curator, body=models.ReviewIn(decision=models.ReviewDecision(decision), comment=comment))
    assert answered.status_code == 200, answered.content
    assert answered.parsed.to_dict()["status"] == status
