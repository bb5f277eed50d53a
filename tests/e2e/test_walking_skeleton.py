"""A submission from any Kafka client, or over REST, is stored, re-emitted, and counted."""

import json
import uuid

from shared.auth import Role
from tests.platform import as_role, as_source, eventually, register_source, submission

INITIATIVE_TYPES = {"se.malmo.oppna.initiative.registered.v1", "se.malmo.oppna.initiative.revised.v1"}


async def figures_for(platform, source: str) -> dict:
    # Public figures suppress counts below 5; an analyst sees them all.
    r = await platform.http["reporting"].get("/v1/figures/initiatives", params={"source": source}, headers=as_role(Role.analyst))
    assert r.status_code == 200
    return r.json()


async def test_a_submission_on_kafka_is_stored_re_emitted_and_counted(platform):
    source = f"urn:malmo:source:test-{uuid.uuid4().hex[:6]}"
    await register_source(platform, source)
    event = submission(source, "KF-1")
    await platform.kafka.send("registry.submissions.v1", json.dumps(event).encode(), key="KF-1")

    lookup = await eventually(
        lambda: _lookup(platform, source, "KF-1"), what="the registry to store the submission"
    )
    assert lookup["status"] == "submitted"
    assert lookup["content"]["title"]["sv"] == "Demokratisamtal KF-1"
    assert [h["event_id"] for h in lookup["history"]] == [event["id"]]

    emitted = await platform.kafka.read(
        "registry.initiatives.v1",
        until=lambda ms: any(m["subject"] == lookup["initiative_id"] for m in ms),
    )
    mine = [m for m in emitted if m["subject"] == lookup["initiative_id"]]
    assert [m["type"] for m in mine] == ["se.malmo.oppna.initiative.registered.v1"]
    assert mine[0]["data"]["external_id"] == "KF-1" and mine[0]["source"] == "urn:malmo:oppna:registry"

    counted = await eventually(lambda: _counted(platform, source, 1), what="reporting to count it")
    assert counted["by_status"] == {"submitted": 1}
    assert counted["by_theme"] == {"democracy": 1, "participation": 1}


async def test_the_same_submission_over_rest_is_answered_202_and_counted(platform):
    source = f"urn:malmo:source:test-{uuid.uuid4().hex[:6]}"
    key = await register_source(platform, source)
    event = submission(source, "REST-1")
    r = await platform.http["registry"].post(
        "/v1/submissions", content=json.dumps(event), headers={"content-type": "application/cloudevents+json", **as_source(key)}
    )
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["id"] == event["id"] and body["duplicate"] is False

    again = await platform.http["registry"].post("/v1/submissions", json=event, headers=as_source(key))
    assert again.status_code == 202 and again.json()["duplicate"] is True

    stored = await platform.http["registry"].get(f"/v1/initiatives/{body['initiative_id']}", headers=as_source(key))
    assert stored.status_code == 200
    assert len(stored.json()["history"]) == 1
    await eventually(lambda: _counted(platform, source, 1), what="reporting to count the REST submission")


async def test_an_invalid_rest_submission_gets_422_naming_the_field(platform):
    source = f"urn:malmo:source:test-{uuid.uuid4().hex[:6]}"
    key = await register_source(platform, source)
    event = submission(source, "BAD-1")
    del event["data"]["title"]["sv"]
    event["data"]["themes"] = []
    r = await platform.http["registry"].post("/v1/submissions", json=event, headers=as_source(key))
    assert r.status_code == 422
    fields = {d["field"] for d in r.json()["detail"]}
    assert fields == {"data.title.sv", "data.themes"}


async def _lookup(platform, source, external_id):
    r = await platform.http["registry"].get("/v1/lookup", params={"source": source, "external_id": external_id}, headers=as_role(Role.curator))
    return r.json() if r.status_code == 200 else None


async def _counted(platform, source, n):
    f = await figures_for(platform, source)
    return f if f["total"] == n else None
