"""Grants on the real Kafka and FerretDB: a curator grants stamped initiatives of an edition money,
never more than its budget, even with many grants at once; each change goes out as the whole book."""

import asyncio
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.envelope import new_event
from shared.events.scheduling import EditionPlannedV1
from tests.integration.test_registry_late import copied
from tests.platform import as_role, as_source, register_source, service_fixture, submission

pytestmark = pytest.mark.integration
CURATOR = as_role(Role.curator)
BUDGET = 100_000

registry = service_fixture("registry", create_app, RegistrySettings, "gr")


async def planned(registry, infra, edition_id: str, starts, budget: int = BUDGET) -> None:
    today = datetime.now(ZoneInfo("Europe/Stockholm")).date()
    data = EditionPlannedV1(edition_id=edition_id, version=1, name={"sv": edition_id}, year=starts.year, starts_on=starts,
                            ends_on=starts + timedelta(days=13), submission_opens_on=today - timedelta(days=10),
                            submission_closes_on=today + timedelta(days=30), budget_sek=budget, status="planning")
    event = new_event(data, source="urn:malmo:oppna:scheduling", subject=edition_id)
    await registry.kafka.send("scheduling.sessions.v1", event.to_bytes(), key=edition_id)
    await copied(registry, infra, edition_id, 1)


async def initiatives(registry, source_key: str, source: str, starts, n: int, approve: int) -> list[str]:
    """``n`` initiatives in the edition starting ``starts``; the first ``approve`` of them stamped."""
    http, ids = registry.http["registry"], []
    for k in range(n):
        period = {"start": starts.isoformat(), "end": (starts + timedelta(days=1)).isoformat()}
        r = await http.post("/v1/submissions", json=submission(source, f"GR-{k}", period=period), headers=as_source(source_key))
        assert r.status_code == 202, r.text
        ids.append(r.json()["initiative_id"])
    for iid in ids[:approve]:
        for decision in ("in_review", "approved"):
            r = await http.post(f"/v1/initiatives/{iid}/review", json={"decision": decision, "comment": ""}, headers=CURATOR)
            assert r.status_code == 200, r.text
    return ids


async def grant(registry, edition_id: str, initiative_id: str, amount, headers=CURATOR):
    return await registry.http["registry"].put(f"/v1/editions/{edition_id}/grants/{initiative_id}", json={"amount_sek": amount}, headers=headers)


@pytest.fixture(scope="module")
async def edition(registry, infra):
    """Two editions; in the first, three initiatives approved and one waiting; one approved in the second."""
    tag = uuid.uuid4().hex[:6]
    first, second = f"gr-a-{tag}", f"gr-b-{tag}"
    today = datetime.now(ZoneInfo("Europe/Stockholm")).date()
    starts, other_starts = today + timedelta(days=200), today + timedelta(days=600)
    await planned(registry, infra, first, starts)
    await planned(registry, infra, second, other_starts)
    source = f"urn:malmo:source:gr-{tag}"
    key = await register_source(registry, source)
    ids = await initiatives(registry, key, source, starts, 4, approve=3)
    return {"id": first, "other": second, "ids": ids, "key": key}


async def test_a_grant_within_the_budget_is_kept_and_told_as_the_whole_book(registry, edition):
    eid, (a, b, c, waiting) = edition["id"], edition["ids"]
    r = await grant(registry, eid, a, 60_000)
    assert r.status_code == 200, r.text
    assert r.json() == {"edition_id": eid, "version": 1, "budget_sek": BUDGET, "granted": {a: 60_000}, "granted_sek": 60_000,
                        "remaining_sek": 40_000}
    assert (await grant(registry, eid, a, 60_000)).json()["version"] == 1, "the same amount again changes nothing"

    over = await grant(registry, eid, b, 40_001)
    assert over.status_code == 409
    [reason] = over.json()["detail"]
    assert (reason["field"], reason["code"], reason["remaining_sek"]) == ("amount_sek", "over_budget", 40_000)
    assert (await grant(registry, eid, b, 40_000)).json()["granted_sek"] == BUDGET

    withdrawn = await grant(registry, eid, a, 0)
    assert withdrawn.json()["granted"] == {b: 40_000} and withdrawn.json()["remaining_sek"] == 60_000
    book = (await registry.http["registry"].get(f"/v1/editions/{eid}/grants", headers=CURATOR)).json()
    assert book["granted"] == {b: 40_000} and book["version"] == 3

    def mine(ms):
        return [m for m in ms if m["subject"] == eid]

    events = mine(await registry.kafka.read("registry.grants.v1", until=lambda ms: len(mine(ms)) >= 3, keys=True))
    assert [e["data"]["version"] for e in events] == [1, 2, 3]
    assert events[-1]["data"]["granted"] == {b: 40_000} and events[-1]["data"]["budget_sek"] == BUDGET
    assert {e["_key"] for e in events} == {eid} and events[-1]["type"] == "se.malmo.oppna.grants.changed.v1"
    await grant(registry, eid, b, 0)  # the book empty again for the next test


async def test_refusals_name_the_initiative_or_the_edition(registry, edition):
    eid, (a, b, c, waiting) = edition["id"], edition["ids"]
    http = registry.http["registry"]
    r = await grant(registry, eid, waiting, 1000)
    assert r.status_code == 409 and r.json()["detail"][0]["field"] == "initiative_id" and r.json()["detail"][0]["code"] == "not_approved"
    assert (await grant(registry, eid, "no-such-initiative", 1000)).status_code == 404
    other = await grant(registry, edition["other"], a, 1000)
    assert other.status_code == 409 and other.json()["detail"][0]["code"] == "other_edition"
    unknown = await grant(registry, f"no-edition-{uuid.uuid4().hex[:4]}", a, 1000)
    assert unknown.status_code == 404 and unknown.json()["detail"][0]["field"] == "edition_id"
    assert (await grant(registry, eid, a, -5)).status_code == 422
    assert (await grant(registry, eid, a, 1000, headers=as_source(edition["key"]))).status_code == 403
    assert (await http.get(f"/v1/editions/{eid}/grants", headers=CURATOR)).json()["granted"] == {}


async def test_many_grants_at_once_never_pass_the_budget_and_none_is_lost(registry, edition):
    """40 PUTs at once over three initiatives, each a different amount: every one answered 200
    changed the book once (the version counts them all), and the sum never passes the budget."""
    eid, ids = edition["id"], edition["ids"][:3]
    amounts = [20_000 + 997 * k for k in range(40)]
    answers = await asyncio.gather(*(grant(registry, eid, ids[k % 3], amount) for k, amount in enumerate(amounts)))
    assert {r.status_code for r in answers} <= {200, 409}
    accepted = [r for r in answers if r.status_code == 200]
    refused = [r for r in answers if r.status_code == 409]
    assert accepted and all(r.json()["detail"][0]["code"] == "over_budget" for r in refused)
    book = (await registry.http["registry"].get(f"/v1/editions/{eid}/grants", headers=CURATOR)).json()
    start = book["version"] - len(accepted)
    assert book["granted_sek"] <= BUDGET
    assert sorted(r.json()["version"] for r in accepted) == list(range(start + 1, book["version"] + 1)), "each accepted grant is one change"
    for r in accepted:
        assert r.json()["granted_sek"] <= BUDGET
