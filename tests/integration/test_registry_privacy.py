"""Who reads what in the registry, on the real Kafka and FerretDB (issue 24, points 1 and 2).

Anonymous readers see stamped initiatives only, and only their public fields; a source sees its
own in every status, with the contact; staff see all. The organiser's contact never travels on
registry.initiatives.v1 (reporting reads it): only on the restricted registry.contacts.v1, which
notifications follows; a curator can erase it everywhere.
"""

import json
import uuid

import pytest
from pymongo import AsyncMongoClient

from services.notifications.main import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from services.registry.main import create_app as registry_app
from services.registry.settings import RegistrySettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from tests.platform import Platform, as_role, as_source, eventually, register_source, submission

pytestmark = pytest.mark.integration
CURATOR = as_role(Role.curator)


@pytest.fixture(scope="module")
async def p(infra, run_id):
    async with Platform.start(
        infra, f"{run_id}pv",
        registry=(registry_app, RegistrySettings), notifications=(notifications_app, NotificationsSettings), reporting=(reporting_app, ReportingSettings),
    ) as platform:
        yield platform


@pytest.fixture(scope="module")
async def mongo(infra):
    client = AsyncMongoClient(infra.mongodb, timeoutMS=20000, tz_aware=True)
    yield client
    await client.close()


def organiser(tag: str) -> dict:
    return {"name": "Programansvarig", "email": f"{tag}@example.org", "phone": "+46 40 34 10 00"}


async def publish(p, key, event) -> str:
    r = await p.http["registry"].post("/v1/submissions", json=event, headers=as_source(key))
    assert r.status_code == 202, r.text
    return r.json()["initiative_id"]


async def review(p, iid, *decisions):
    for decision in decisions:
        r = await p.http["registry"].post(f"/v1/initiatives/{iid}/review", json={"decision": decision, "comment": "Intern anteckning"}, headers=CURATOR)
        assert r.status_code == 200, r.text


async def traces(db, needle: str) -> list[str]:
    """Every document of a database that holds the needle anywhere."""
    found = []
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            if needle in json.dumps(doc, default=str):
                found.append(f"{name}:{doc['_id']}")
    return found


async def test_anonymous_readers_see_only_stamped_initiatives_and_only_their_public_fields(p):
    http = p.http["registry"]
    tag = uuid.uuid4().hex[:8]
    source, other = f"urn:malmo:source:pv-{tag}", f"urn:malmo:source:pv2-{tag}"
    key, other_key = await register_source(p, source), await register_source(p, other)
    email = f"pv-{tag}@example.org"
    stamped = await publish(p, key, submission(source, "PV-OK", contact=organiser(f"pv-{tag}")))
    waiting = await publish(p, key, submission(source, "PV-WAIT", contact=organiser(f"pv-{tag}")))
    asked = await publish(p, key, submission(source, "PV-ASK", contact=organiser(f"pv-{tag}")))
    await review(p, stamped, "in_review", "approved")
    await review(p, asked, "in_review", "changes_requested")

    public = await http.get(f"/v1/initiatives/{stamped}")
    assert public.status_code == 200, public.text
    body = public.json()
    assert body["status"] == "approved" and body["content"]["title"]["sv"] == "Demokratisamtal PV-OK"
    assert "contact" not in body["content"] and email not in public.text, "no organiser's contact for the public"
    assert not {"history", "reviews", "review"} & set(body), "neither revisions nor curators' comments for the public"
    assert "Intern anteckning" not in public.text
    for unreviewed in (waiting, asked):
        assert (await http.get(f"/v1/initiatives/{unreviewed}")).status_code == 404, "unreviewed work is not public"
    assert (await http.get("/v1/lookup", params={"source": source, "external_id": "PV-WAIT"})).status_code == 404
    assert (await http.get("/v1/lookup", params={"source": source, "external_id": "PV-OK"})).status_code == 200

    listed = await http.get("/v1/initiatives", params={"source": source})
    assert [i["initiative_id"] for i in listed.json()["items"]] == [stamped] and email not in listed.text
    for status in ("submitted", "changes_requested", "rejected", "withdrawn", "in_review"):
        refused = await http.get("/v1/initiatives", params={"status": status})
        assert refused.status_code == 403 and refused.json()["detail"][0]["field"] == "status", refused.text

    # Another source reads as the public; the source itself sees its own, with the contact.
    assert (await http.get(f"/v1/initiatives/{waiting}", headers=as_source(other_key))).status_code == 404
    assert (await http.get("/v1/initiatives", params={"source": source, "status": "submitted"}, headers=as_source(other_key))).status_code == 403
    own = await http.get(f"/v1/initiatives/{waiting}", headers=as_source(key))
    assert own.status_code == 200 and own.json()["content"]["contact"]["email"] == email and own.json()["history"]
    mine = await http.get("/v1/initiatives", params={"source": source}, headers=as_source(key))
    assert sorted(i["initiative_id"] for i in mine.json()["items"]) == sorted([stamped, waiting, asked])
    assert all(i["content"]["contact"]["email"] == email for i in mine.json()["items"])

    # Staff see everything.
    for role in (Role.curator, Role.scheduler, Role.analyst):
        staff = await http.get(f"/v1/initiatives/{asked}", headers=as_role(role))
        assert staff.status_code == 200 and staff.json()["reviews"][-1]["comment"] == "Intern anteckning"
        assert staff.json()["content"]["contact"]["email"] == email
    listed = await http.get("/v1/initiatives", params={"source": source, "status": "submitted"}, headers=as_role(Role.analyst))
    assert [i["initiative_id"] for i in listed.json()["items"]] == [waiting]


async def test_the_contact_travels_only_on_registry_contacts_and_reporting_never_holds_it(p, mongo):
    tag = uuid.uuid4().hex[:8]
    source = f"urn:malmo:source:pt-{tag}"
    key = await register_source(p, source)
    email = f"pt-{tag}@example.org"
    iid = await publish(p, key, submission(source, "PT-1", contact=organiser(f"pt-{tag}")))
    await review(p, iid, "in_review", "approved")

    def mine(ms):
        return [m for m in ms if m.get("subject") == iid]

    on_initiatives = mine(await p.kafka.read("registry.initiatives.v1", until=lambda ms: len(mine(ms)) >= 3))
    assert [m["data"]["status"] for m in on_initiatives] == ["submitted", "in_review", "approved"]
    assert all(email not in json.dumps(m) and "contact" not in (m["data"]["content"] or {}) for m in on_initiatives)
    [recorded] = mine(await p.kafka.read("registry.contacts.v1", until=lambda ms: len(mine(ms)) >= 1))
    assert recorded["type"] == "se.malmo.oppna.initiative.contact_recorded.v1" and recorded["data"]["contact"]["email"] == email

    reporting = mongo[p.settings["reporting"].mongodb_database]

    async def counted():
        return await traces(reporting, iid)

    await eventually(counted, what="reporting to copy the initiative")
    assert await traces(reporting, email) == [] and await traces(reporting, "Programansvarig") == []


async def test_a_curator_erases_an_organisers_contact_in_every_revision_and_notifications_forgets_it(p, mongo):
    http = p.http["registry"]
    tag = uuid.uuid4().hex[:8]
    source = f"urn:malmo:source:pe-{tag}"
    key = await register_source(p, source)
    email = f"pe-{tag}@example.org"
    iid = await publish(p, key, submission(source, "PE-1", contact=organiser(f"pe-{tag}")))
    await publish(p, key, submission(source, "PE-1", revision=2, contact={**organiser(f"pe-{tag}"), "phone": "+46 40 34 10 01"}))
    notifications = mongo[p.settings["notifications"].mongodb_database]

    async def copied():
        doc = await notifications["organizer_contacts"].find_one({"_id": iid})
        return doc if doc and (doc["state"].get("contact") or {}).get("phone") == "+46 40 34 10 01" else None

    await eventually(copied, what="notifications to copy the newest contact")

    assert (await http.delete(f"/v1/initiatives/{iid}/contact")).status_code == 401
    assert (await http.delete(f"/v1/initiatives/{iid}/contact", headers=as_source(key))).status_code == 403
    assert (await http.delete(f"/v1/initiatives/{uuid.uuid4()}/contact", headers=CURATOR)).status_code == 404
    r = await http.delete(f"/v1/initiatives/{iid}/contact", headers=CURATOR)
    assert r.status_code == 200, r.text
    assert email not in r.text and "contact" not in r.json()["content"] and r.json()["contact_erased_at"]
    assert [h["revision"] for h in r.json()["history"]] == [1, 2] and all("contact" not in h["content"] for h in r.json()["history"])

    registry = mongo[p.settings["registry"].mongodb_database]

    async def gone(db):
        return await traces(db, email) == [] and await traces(db, "+46 40 34 10 01") == []

    await eventually(lambda: gone(registry), what="the registry to hold the contact nowhere (outbox included)")
    await eventually(lambda: gone(notifications), what="notifications to drop its copy")

    def mine(ms):
        return [m for m in ms if m.get("subject") == iid]

    told = mine(await p.kafka.read("registry.contacts.v1", until=lambda ms: any(m["type"].endswith("contact_erased.v1") for m in mine(ms))))
    assert told[-1]["type"] == "se.malmo.oppna.initiative.contact_erased.v1", "the newest value under the key erases (compaction drops the rest)"

    # A next revision from the publisher may give a contact again; until then there is none.
    assert (await http.get(f"/v1/initiatives/{iid}", headers=as_source(key))).json()["content"].get("contact") is None
