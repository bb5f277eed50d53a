"""Outcome reports on the real Kafka and FerretDB: filed over REST and Kafka after the initiative's
first session (the registry follows scheduling's sessions), every refusal named, reviewed and
published, and each change on registry.reports.v1 — the text only once published."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.envelope import new_event
from shared.events.scheduling import SessionPublishedV1
from tests.platform import as_role, as_source, eventually, register_source, service_fixture, submission

pytestmark = pytest.mark.integration
CURATOR = as_role(Role.curator)
CONTENT = {"what_happened": {"sv": "Vi samtalade om demokrati.", "en": "We talked about democracy."}, "participants": 38, "spent_sek": 21000,
           "target_groups": ["youth"], "districts": ["rosengard"], "partners": [{"name": "Föreningen Samtal", "kind": "civil_society"}],
           "materials": [{"title": "Samtalsmetod", "url": "https://example.org/metod"}]}

registry = service_fixture("registry", create_app, RegistrySettings, "rp")


async def stamped(registry, key: str, source: str, external_id: str) -> str:
    http = registry.http["registry"]
    r = await http.post("/v1/submissions", json=submission(source, external_id), headers=as_source(key))
    assert r.status_code == 202, r.text
    iid = r.json()["initiative_id"]
    for decision in ("in_review", "approved"):
        assert (await http.post(f"/v1/initiatives/{iid}/review", json={"decision": decision, "comment": "ok"}, headers=CURATOR)).status_code == 200
    return iid


async def session_of(registry, iid: str, source: str, starts_at: datetime, version: int = 1) -> None:
    sid = f"s-{uuid.uuid4().hex[:8]}"
    data = SessionPublishedV1(session_id=sid, version=version, edition_id="ed", initiative_id=iid, source=source, title={"sv": "Samtal"},
                              organizer={"kind": "administration", "name": "K"}, themes=["democracy"], languages=["sv"], starts_at=starts_at,
                              ends_at=starts_at + timedelta(hours=2), capacity=30, registration_required=True, status="published")
    event = new_event(data, source="urn:malmo:oppna:scheduling", subject=sid)
    await registry.kafka.send("scheduling.sessions.v1", event.to_bytes(), key=sid)


async def file(registry, key: str, iid: str, revision: int = 1, **content):
    return await registry.http["registry"].post(f"/v1/initiatives/{iid}/report", json={**CONTENT, **content, "revision": revision},
                                                headers=as_source(key))


async def filed_once_held(registry, key: str, iid: str):
    """Filed as soon as the registry has copied the session that began (the copy is the consumer's)."""
    async def taken():
        r = await file(registry, key, iid)
        return r if r.status_code == 202 else None

    return await eventually(taken, what="the report to be taken once the first session began")


def detail(r) -> tuple:
    d = r.json()["detail"][0]
    return r.status_code, d["field"], d["code"]


async def reports_of(registry, iid: str, n: int) -> list[dict]:
    def mine(ms):
        return [m for m in ms if m["subject"] == iid]

    return mine(await registry.kafka.read("registry.reports.v1", until=lambda ms: len(mine(ms)) >= n))


async def test_filing_is_refused_by_name_until_the_first_session_began_then_taken_once(registry):
    tag = uuid.uuid4().hex[:6]
    source, other = f"urn:malmo:source:rp-{tag}", f"urn:malmo:source:rp-o-{tag}"
    key, other_key = await register_source(registry, source), await register_source(registry, other)
    iid = await stamped(registry, key, source, "R-1")

    assert detail(await file(registry, key, str(uuid.uuid4()))) == (404, "initiative_id", "not_found")
    assert detail(await file(registry, other_key, iid)) == (403, "initiative_id", "not_your_initiative")
    r = await registry.http["registry"].post("/v1/submissions", json=submission(source, "R-unstamped"), headers=as_source(key))
    assert detail(await file(registry, key, r.json()["initiative_id"])) == (409, "initiative_id", "not_stamped")
    assert detail(await file(registry, key, iid)) == (409, "initiative_id", "no_session_held_yet")
    await session_of(registry, iid, source, datetime.now(UTC) + timedelta(days=3))
    await session_of(registry, iid, source, datetime.now(UTC) - timedelta(hours=3))

    r = await filed_once_held(registry, key, iid)
    report = r.json()
    assert report["status"] == "submitted" and report["revision"] == 1 and report["version"] == 1
    again = await file(registry, key, iid)
    assert again.status_code == 200 and again.json()["version"] == 1, "the same revision again changes nothing"
    assert detail(await file(registry, key, iid, 2, districts=["atlantis"])) == (422, "districts.0", "unknown_code")
    assert (await registry.http["registry"].get(f"/v1/reports/{iid}")).status_code == 404, "not published: not revealed"
    own = (await registry.http["registry"].get(f"/v1/reports/{iid}", headers=as_source(key))).json()
    assert own["revisions"][0]["content"]["participants"] == 38


async def test_reviewed_changes_requested_revised_partners_linked_and_published_with_events(registry):
    tag = uuid.uuid4().hex[:6]
    source, partner = f"urn:malmo:source:rp-{tag}", f"urn:malmo:source:rp-p-{tag}"
    key = await register_source(registry, source)
    await register_source(registry, partner, kind="civil_society")
    iid = await stamped(registry, key, source, "R-2")
    await session_of(registry, iid, source, datetime.now(UTC) - timedelta(days=1))
    await filed_once_held(registry, key, iid)
    http = registry.http["registry"]

    queue = (await http.get("/v1/reports/queue", headers=CURATOR)).json()["items"]
    assert iid in [i["initiative_id"] for i in queue]
    review = f"/v1/reports/{iid}/review"
    assert detail(await http.post(review, json={"decision": "changes_requested"}, headers=CURATOR)) == (422, "comment", "missing")
    r = await http.post(review, json={"decision": "changes_requested", "comment": "Vad kostade lokalen?", "version": 1}, headers=CURATOR)
    assert r.status_code == 200 and r.json()["status"] == "changes_requested"
    assert (await file(registry, key, iid, 2, spent_sek=23000)).json()["status"] == "submitted"
    r = await http.post(review, json={"decision": "published", "partner_sources": {"0": "urn:malmo:source:nobody"}}, headers=CURATOR)
    assert detail(r) == (404, "partner_sources.0", "unknown_source")
    r = await http.post(review, json={"decision": "published", "partner_sources": {"0": partner}}, headers=CURATOR)
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert (await http.post(review, json={"decision": "published", "partner_sources": {"0": partner}}, headers=CURATOR)).json()["version"] == 4

    public = (await http.get(f"/v1/reports/{iid}")).json()
    assert public["content"]["partners"][0]["source"] == partner and "reviews" not in public and "revisions" not in public
    listed = (await http.get("/v1/reports", params={"theme": "democracy", "district": "rosengard"})).json()["items"]
    assert iid in [i["initiative_id"] for i in listed]
    assert iid not in [i["initiative_id"] for i in (await http.get("/v1/reports", params={"theme": "human_rights"})).json()["items"]]

    events = await reports_of(registry, iid, 4)
    assert [(e["data"]["version"], e["data"]["status"]) for e in events] == [
        (1, "submitted"), (2, "changes_requested"), (3, "submitted"), (4, "published")]
    assert all(e["data"].get("content") is None for e in events[:3]), "no free text before publication"
    assert events[3]["data"]["content"]["spent_sek"] == 23000 and events[3]["data"]["title"]["sv"]
    assert events[2]["data"]["figures"]["spent_sek"] == 23000 and len({e["id"] for e in events}) == 4


async def test_a_report_over_kafka_is_taken_and_a_refused_one_dead_lettered_with_its_reason(registry):
    tag = uuid.uuid4().hex[:6]
    source = f"urn:malmo:source:rp-k-{tag}"
    key = await register_source(registry, source)
    iid = await stamped(registry, key, source, "K-1")
    await session_of(registry, iid, source, datetime.now(UTC) - timedelta(days=1))
    await filed_once_held(registry, key, iid)  # the copy is there

    def report_event(external_id: str, revision: int) -> dict:
        return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": source, "type": "se.malmo.oppna.report.submitted.v1",
                "subject": external_id, "time": datetime.now(UTC).isoformat(), "datacontenttype": "application/json",
                "data": {**CONTENT, "participants": 50, "external_id": external_id, "revision": revision}}


    await registry.kafka.send("registry.submissions.v1", json.dumps(report_event("K-1", 2)).encode(), key="K-1")
    refused = report_event("K-missing", 1)
    await registry.kafka.send("registry.submissions.v1", json.dumps(refused).encode(), key="K-missing")

    async def revised():
        r = (await registry.http["registry"].get(f"/v1/reports/{iid}", headers=as_source(key))).json()
        return r if r["revision"] == 2 else None

    report = await eventually(revised, what="the report's revision 2 from Kafka")
    assert report["content"]["participants"] == 50 and report["revisions"][1]["via"] == "kafka"
    dead = await registry.kafka.read("registry.submissions.rejected.v1",
                                     until=lambda ms: any(m["data"]["original"].get("ce_id") == refused["id"] for m in ms))
    [letter] = [m for m in dead if m["data"]["original"].get("ce_id") == refused["id"]]
    assert [(r["field"], r["code"]) for r in letter["data"]["reasons"]] == [("initiative_id", "not_found")]
