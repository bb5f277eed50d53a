"""A publisher writing Java works from the AsyncAPI document alone: Modelina generates Java models
of a publisher's inbox channel in the registry's document (contracts/registry/asyncapi.json) without
a warning, javac compiles them with a small publisher (tests/java/PublishSubmission.java) that
builds a submission from them, and Kafka's Java client, signed in as that publisher
(SASL/SCRAM-SHA-512), sends it on its inbox as the CloudEvent; the registry stores it.

Runs where the test broker authenticates (the local launcher's); the publisher is made for the run
with the launcher's tool (a user, its inbox, the ACL to write it) and removed after."""

import asyncio
import secrets
import uuid

import pytest

from deploy.local.launcher.common import ROOT
from deploy.local.launcher.kafka_sasl import INBOX, publisher_lines
from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.java_models import compile_java, generate, run_java
from tests.kafka_principals import grant, removal, sasl_only
from tests.platform import as_role, as_source, eventually, service_fixture

pytestmark = sasl_only
DOCUMENT = ROOT / "contracts" / "registry" / "asyncapi.json"
PUBLISHER = ROOT / "tests" / "java" / "PublishSubmission.java"
INBOX_CHANNEL = "registry_inbox_publisher_v1"  # the channel a publisher writes: its messages' models

registry = service_fixture("registry", create_app, RegistrySettings, "java")


@pytest.fixture(scope="module")
def publisher(registry) -> dict[str, str]:
    """A Kafka principal of the run's own, with its inbox."""
    prefix = registry.settings["registry"].topic_prefix
    name = f"{prefix.strip('.')}-java-{uuid.uuid4().hex[:4]}"
    made = {"name": name, "password": secrets.token_urlsafe(16), "topic": prefix + INBOX.format(name),
            "source": f"urn:malmo:source:{name}"}
    grant(publisher_lines(made["name"], made["password"], prefix))
    yield made
    grant(removal([name]))


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """The generated models and the Java publisher, compiled; what Modelina and javac printed."""
    folder = tmp_path_factory.mktemp("java")
    generated = generate(DOCUMENT, folder / "models", "se.malmo.oppna.contracts", INBOX_CHANNEL)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    models = sorted((folder / "models").glob("*.java"))
    compiled = compile_java([*models, PUBLISHER], folder / "classes")
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    return {"classes": folder / "classes", "modelina": generated, "javac": compiled, "models": models}


def test_modelina_generates_the_registrys_models_without_a_warning_and_javac_compiles_them(compiled):
    assert compiled["modelina"].stderr == "", compiled["modelina"].stderr
    names = {model.stem for model in compiled["models"]}
    assert {"InitiativeSubmittedV1Event", "InitiativeSubmittedV1", "InitiativeWithdrawnV1Event", "Title"} <= names
    assert compiled["javac"].stdout + compiled["javac"].stderr == ""


async def test_a_submission_built_from_the_models_and_sent_by_the_java_client_is_stored(registry, publisher, compiled):
    body = {"source": publisher["source"], "kind": "civil_society", "name": {"sv": "Parkföreningen", "en": "The park society"},
            "kafka_principal": f"User:{publisher['name']}"}
    r = await registry.http["registry"].post("/v1/sources", json=body, headers=as_role(Role.curator))
    assert r.status_code == 201, r.text
    key = r.json()["api_key"]
    external_id = f"JAVA-{uuid.uuid4().hex[:6]}"

    sent = await asyncio.to_thread(run_java, compiled["classes"], "PublishSubmission", registry.infra.kafka, publisher["name"],
                                   publisher["password"], publisher["topic"], publisher["source"], external_id)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    event_id = sent.stdout.strip().splitlines()[-1]

    async def stored():
        r = await registry.http["registry"].get("/v1/lookup", params={"source": publisher["source"], "external_id": external_id},
                                                headers=as_source(key))
        return r.json() if r.status_code == 200 else None

    initiative = await eventually(stored, what="the registry to store the Java publisher's submission")
    assert initiative["status"] == "submitted"
    assert initiative["content"]["title"] == {"sv": f"Samtal om parker {external_id}", "en": f"Talks about parks {external_id}"}
    assert initiative["content"]["organizer"] == {"kind": "civil_society", "name": "Parkföreningen"}
    assert [h["event_id"] for h in initiative["history"]] == [event_id]
