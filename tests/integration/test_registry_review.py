"""The stamp, end to end in the registry: review steps over REST, each an event with the full state."""

import uuid

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.platform import as_role, as_source, register_source, service_fixture, submission

CURATOR = as_role(Role.curator)


registry = service_fixture("registry", create_app, RegistrySettings, "rv")


async def publish(registry, key, event):
    r = await registry.http["registry"].post("/v1/submissions", json=event, headers=as_source(key))
    assert r.status_code == 202, r.text
    return r.json()["initiative_id"]


async def step(registry, initiative_id, decision, comment="", **extra):
    return await registry.http["registry"].post(
        f"/v1/initiatives/{initiative_id}/review", json={"decision": decision, "comment": comment, **extra}, headers=CURATOR
    )


async def events_of(registry, initiative_id, n):
    def mine(ms):
        return [m for m in ms if m["subject"] == initiative_id]

    return mine(await registry.kafka.read("registry.initiatives.v1", until=lambda ms: len(mine(ms)) >= n))


async def test_submitted_reviewed_approved_then_a_typo_fix_keeps_the_stamp_and_a_new_title_lifts_it(registry):
    source = f"urn:malmo:source:rv-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry, source)
    first = submission(source, "RV-1", description={"sv": "Vi träffas i bibliotket."})
    iid = await publish(registry, key, first)

    r = await step(registry, iid, "approved", "Ser bra ut")
    assert r.status_code == 409 and r.json()["detail"][0]["code"] == "invalid_transition", "approval needs a review first"
    assert (await step(registry, iid, "in_review")).status_code == 200
    r = await step(registry, iid, "approved", "Välkommen i Öppna Malmö!", version=2)
    assert r.status_code == 200, r.text
    approved = r.json()
    assert approved["status"] == "approved" and approved["stamped"] is True
    assert approved["review"]["comment"] == "Välkommen i Öppna Malmö!" and approved["review"]["curator"] == "testcurator"

    again = await step(registry, iid, "approved", "Välkommen i Öppna Malmö!")
    assert again.status_code == 200 and again.json()["version"] == approved["version"], "a retried step changes nothing"

    typo = submission(source, "RV-1", revision=2, description={"sv": "Vi träffas i biblioteket."})
    await publish(registry, key, typo)
    state = (await registry.http["registry"].get(f"/v1/initiatives/{iid}", headers=CURATOR)).json()
    assert state["status"] == "approved" and state["stamped"] is True, "a typo fix in the description keeps the stamp"

    retitled = submission(source, "RV-1", revision=3, title={"sv": "Ett helt annat evenemang"})
    await publish(registry, key, retitled)
    state = (await registry.http["registry"].get(f"/v1/initiatives/{iid}", headers=CURATOR)).json()
    assert state["status"] == "submitted" and state["stamped"] is False, "a new title goes back to review"

    events = await events_of(registry, iid, 5)
    assert [(e["type"].split(".")[-2], e["data"]["status"], e["data"]["stamped"]) for e in events] == [
        ("registered", "submitted", False),
        ("review_started", "in_review", False),
        ("approved", "approved", True),
        ("revised", "approved", True),
        ("revised", "submitted", False),
    ]
    assert [e["data"]["version"] for e in events] == [1, 2, 3, 4, 5]
    assert events[2]["data"]["review"]["decision"] == "approved"
    assert events[2]["data"]["content"]["title"]["sv"] == first["data"]["title"]["sv"], "every event carries the full state"


async def test_changes_requested_needs_a_comment_and_the_answer_goes_back_to_the_queue_oldest_first(registry):
    source = f"urn:malmo:source:rv-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry, source, kind="civil_society")
    older = await publish(registry, key, submission(source, "Q-1"))
    newer = await publish(registry, key, submission(source, "Q-2"))
    await step(registry, older, "in_review")
    r = await step(registry, older, "changes_requested", "  ")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "comment"
    r = await step(registry, older, "changes_requested", "Lägg till en tidsplan, tack.")
    assert r.json()["status"] == "changes_requested"

    queue = (await registry.http["registry"].get("/v1/review/queue", params={"source": source}, headers=CURATOR)).json()["items"]
    assert [i["initiative_id"] for i in queue] == [newer], "changes requested: waiting for the organiser, not the curator"

    await publish(registry, key, submission(source, "Q-1", revision=2))
    queue = (await registry.http["registry"].get("/v1/review/queue", params={"source": source}, headers=CURATOR)).json()["items"]
    assert [i["initiative_id"] for i in queue] == [newer, older], "the answer joins the queue behind what waited longer"

    r = await step(registry, newer, "in_review")
    r = await step(registry, newer, "rejected", "Ligger utanför Öppna Malmös inriktning.")
    assert r.json()["status"] == "rejected" and r.json()["stamped"] is False
    await publish(registry, key, submission(source, "Q-2", revision=2))
    assert (await registry.http["registry"].get(f"/v1/initiatives/{newer}", headers=CURATOR)).json()["status"] == "rejected", "a rejection is final"
    events = await events_of(registry, newer, 4)
    assert events[-1]["type"] == "se.malmo.oppna.initiative.revised.v1" and events[-1]["data"]["review"]["decision"] == "rejected"


async def test_a_curator_reviewing_a_stale_version_gets_409(registry):
    source = f"urn:malmo:source:rv-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry, source)
    iid = await publish(registry, key, submission(source, "ST-1"))
    await publish(registry, key, submission(source, "ST-1", revision=2))
    r = await step(registry, iid, "in_review", version=1)
    assert r.status_code == 409 and r.json()["detail"][0]["field"] == "version"
    assert (await step(registry, iid, "in_review", version=2)).status_code == 200


async def test_a_withdrawal_wins_at_any_time_and_no_step_follows_it(registry):
    source = f"urn:malmo:source:rv-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry, source)
    iid = await publish(registry, key, submission(source, "WD-1"))
    await step(registry, iid, "in_review")
    await step(registry, iid, "approved", "OK")
    withdrawal = {**submission(source, "WD-1"), "type": "se.malmo.oppna.initiative.withdrawn.v1", "data": {"external_id": "WD-1", "revision": 2}}
    await publish(registry, key, withdrawal)
    state = (await registry.http["registry"].get(f"/v1/initiatives/{iid}", headers=CURATOR)).json()
    assert state["status"] == "withdrawn" and state["stamped"] is False
    assert (await step(registry, iid, "in_review")).status_code == 409
    assert (await step(registry, str(uuid.uuid4()), "in_review")).status_code == 404
