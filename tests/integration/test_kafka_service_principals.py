"""Each service runs as its own principal with exactly the ACLs the launcher grants it
(deploy/local/launcher/kafka_sasl.py ``service_acls``, under this run's topic prefix): all four
start (each creates and aligns its topics), every consumer and the leadership keep running, and a
publisher's submission on its inbox travels publisher → registry → scheduling and reporting."""

import contextlib
import json
import secrets

import pytest

from deploy.local.launcher.kafka_sasl import INBOX, publisher_lines, service_acls
from shared.auth import Role
from tests.integration.test_security_web import SERVICES  # the four services: (create_app, settings class)
from tests.kafka_principals import grant, removal, sasl_only, signed_in_as
from tests.platform import Platform, as_role, eventually, running, settings_for, submission

pytestmark = sasl_only


@pytest.fixture(scope="module")
async def as_principals(infra, run_id):
    """The four services, each signed in as a principal of this run with its service's ACLs; and
    one publisher (name, password) with its inbox."""
    run = f"{run_id}sp"
    users = {s: (f"{run}-{s}", secrets.token_urlsafe(16)) for s in SERVICES}
    publisher = (f"{run}-pub", secrets.token_urlsafe(16))
    lines = [line for s, (user, password) in users.items() for line in (f"user {user} {password}", *service_acls(s, f"{run}.", f"User:{user}"))]
    grant(lines + publisher_lines(*publisher, f"{run}."))
    platform = Platform(infra, run)
    try:
        async with contextlib.AsyncExitStack() as stack:
            for name, (create_app, settings_cls) in SERVICES.items():
                user, password = users[name]
                settings = settings_for(settings_cls, infra, run, kafka_sasl_username=user, kafka_sasl_password=password)
                platform.settings[name] = settings
                platform.http[name] = await stack.enter_async_context(running(create_app(settings)))
            yield platform, publisher
    finally:
        await platform.cleanup()
        grant(removal([user for user, _ in users.values()] + [publisher[0]]))


async def test_every_service_runs_as_its_own_principal_and_an_inbox_submission_reaches_the_others(as_principals):
    platform, (name, password) = as_principals
    source = f"urn:malmo:source:{name}"
    body = {"source": source, "kind": "administration", "name": {"sv": name, "en": name}, "kafka_principal": f"User:{name}"}
    r = await platform.http["registry"].post("/v1/sources", json=body, headers=as_role(Role.curator))
    assert r.status_code == 201, r.text
    event = submission(source, "SP-1")
    producer = signed_in_as(name, password)
    await producer.start()
    try:
        await producer.send_and_wait(platform.settings["registry"].topic(INBOX.format(name)), json.dumps(event).encode(), key=b"SP-1")
    finally:
        await producer.stop()

    async def registered():
        r = await platform.http["registry"].get("/v1/lookup", params={"source": source, "external_id": "SP-1"}, headers=as_role(Role.curator))
        return r.json() if r.status_code == 200 else None

    initiative = await eventually(registered, what="the registry stores the inbox's submission")
    initiative_id = initiative.get("initiative_id") or initiative["id"]

    async def copied():
        r = await platform.http["scheduling"].get(f"/v1/initiatives/{initiative_id}", headers=as_role(Role.scheduler))
        return r.status_code == 200

    await eventually(copied, what="scheduling's copy of the initiative (registry.initiatives.v1 read as scheduling)")
    for service, http in platform.http.items():
        r = await http.get("/readyz")
        assert r.status_code == 200, (service, r.text)
