"""Publishers proven by the broker (docs/security.md, "Kafka"): on a SASL/SCRAM-SHA-512 broker
with ACLs, a publisher writes only its own inbox, the registry refuses an event whose source is
not the one the inbox proves, a wrong password never connects, and a service's principal cannot
write a topic it does not own.

Runs where the test broker authenticates (the local launcher's, ``infra.py env`` says
KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT); skipped on a PLAINTEXT broker, where nothing is proven.
The test's two publishers are made for the run (users, inboxes under the run's prefix, ACLs) with
the launcher's own tool, and removed after it."""

import json
import os
import secrets
import uuid

import pytest
from aiokafka.conn import create_conn
from aiokafka.errors import KafkaConnectionError, SaslAuthenticationFailed, TopicAuthorizationFailedError

from deploy.local.launcher.kafka_sasl import INBOX, publisher_lines
from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.kafka.security import client_options
from tests.kafka_principals import grant, removal, sasl_only, signed_in_as
from tests.platform import as_role, as_source, eventually, service_fixture, submission

pytestmark = sasl_only
CURATOR = as_role(Role.curator)

registry = service_fixture("registry", create_app, RegistrySettings, "sasl")


@pytest.fixture(scope="module")
def publishers(registry) -> dict[str, dict[str, str]]:
    """Two publishers, a and b: each a SCRAM user with a password, and an inbox only it may write."""
    prefix = registry.settings["registry"].topic_prefix
    made = {}
    for who in ("a", "b"):
        name = f"{prefix.strip('.')}-{who}-{uuid.uuid4().hex[:4]}"
        made[who] = {"name": name, "password": secrets.token_urlsafe(16), "topic": prefix + INBOX.format(name),
                     "source": f"urn:malmo:source:{name}"}
    grant([line for p in made.values() for line in publisher_lines(p["name"], p["password"], prefix)])
    yield made
    grant(removal([p["name"] for p in made.values()]))


@pytest.fixture(scope="module")
async def registered(registry, publishers) -> dict[str, str]:
    """Both publishers registered as sources with their principals; their API keys by a/b."""
    keys = {}
    for who, p in publishers.items():
        body = {"source": p["source"], "kind": "administration", "name": {"sv": p["name"], "en": p["name"]},
                "kafka_principal": f"User:{p['name']}"}
        r = await registry.http["registry"].post("/v1/sources", json=body, headers=CURATOR)
        assert r.status_code == 201, r.text
        keys[who] = r.json()["api_key"]
    return keys


async def test_a_publisher_is_refused_by_the_broker_on_another_publishers_inbox(publishers):
    a, b = publishers["a"], publishers["b"]
    producer = signed_in_as(a["name"], a["password"])
    await producer.start()
    try:
        await producer.send_and_wait(a["topic"], b"{}")  # its own inbox takes it
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait(b["topic"], json.dumps(submission(b["source"], "B-1")).encode())
        with pytest.raises(TopicAuthorizationFailedError):  # nor the shared topic, which proves nothing
            await producer.send_and_wait(a["topic"].replace(INBOX.format(a["name"]), "registry.submissions.v1"), b"{}")
    finally:
        await producer.stop()


async def test_an_event_claiming_another_source_on_an_inbox_is_dead_lettered_and_its_own_is_stored(registry, publishers, registered):
    a, b = publishers["a"], publishers["b"]
    forged, own = submission(b["source"], "FORGED-1"), submission(a["source"], "OWN-1")
    producer = signed_in_as(a["name"], a["password"])
    await producer.start()
    try:
        for event in (forged, own):
            await producer.send_and_wait(a["topic"], json.dumps(event).encode(), key=event["data"]["external_id"].encode())
    finally:
        await producer.stop()

    # Shown to its sender, whom the inbox proves, not to the source it named.
    async def refusal():
        r = await registry.http["registry"].get(f"/v1/sources/{a['source']}/rejections", headers=CURATOR)
        return next((item for item in r.json()["items"] if item["original"]["ce_id"] == forged["id"]), None)

    rejection = await eventually(refusal, what="the forged event's refusal in its sender's feed")
    assert (rejection["original"]["ce_source"], rejection["original"]["topic"]) == (b["source"], a["topic"])
    assert [(r["field"], r["code"]) for r in rejection["reasons"]] == [("source", "source_mismatch")]
    assert (await registry.http["registry"].get(f"/v1/sources/{b['source']}/rejections", headers=CURATOR)).json()["items"] == []

    async def stored(source: str, external_id: str, key: str):
        r = await registry.http["registry"].get("/v1/lookup", params={"source": source, "external_id": external_id}, headers=as_source(key))
        return r.json() if r.status_code == 200 else None

    assert (await eventually(lambda: stored(a["source"], "OWN-1", registered["a"]), what="a's own event stored"))
    assert await stored(b["source"], "FORGED-1", registered["b"]) is None


async def test_a_wrong_password_never_connects(publishers):
    a = publishers["a"]
    host, port = os.environ["KAFKA_BOOTSTRAP_SERVERS"].split(",")[0].rsplit(":", 1)
    with pytest.raises(SaslAuthenticationFailed):
        await create_conn(host, int(port), **client_options(username=a["name"], password=a["password"] + "x"))
    producer = signed_in_as(a["name"], "not-" + a["password"])
    with pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()
    right = await create_conn(host, int(port), **client_options(username=a["name"], password=a["password"]))
    right.close()


async def test_a_services_principal_cannot_write_a_topic_it_does_not_own():
    password = os.environ.get("KAFKA_SASL_PASSWORD_SCHEDULING")
    assert password, "infra.py env gives each service's password on a SASL broker"
    producer = signed_in_as("scheduling", password)
    await producer.start()  # signed in: what follows is the ACLs' answer, not the password's
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait("registry.initiatives.v1", b"{}")  # the registry's, which scheduling reads
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait(INBOX.format("kulturforvaltningen"), b"{}")  # nor may it pose as a publisher
    finally:
        await producer.stop()
