"""Organisers at scheduling, fed by the registry's registry.sources.v1 (both services on the real
engines): a publisher's key reads its own session, lists its registrations without contacts,
checks people in there and lists its sessions with their counts; another publisher's session is
a 404 and stays as it was; publishing and cancelling stay the schedulers'; a revoked key and a
deactivated source stop working at scheduling once their event arrives."""

import uuid

import pytest

from services.registry.main import create_app as registry_app
from services.registry.settings import RegistrySettings
from services.scheduling.main import create_app as scheduling_app
from shared.auth import Role, key_id_of
from tests.integration.test_scheduling_support import DoorOpensDaysAhead, published_session
from tests.platform import Platform, as_role, as_source, eventually, register_source

CURATOR, SCHEDULER = as_role(Role.curator), as_role(Role.scheduler)


@pytest.fixture(scope="module")
async def both(infra, run_id):
    async with Platform.start(infra, f"{run_id}sor", registry=(registry_app, RegistrySettings),
                              scheduling=(scheduling_app, DoorOpensDaysAhead)) as p:
        yield p


async def publisher(p: Platform, name: str) -> tuple[str, str]:
    uri = f"urn:malmo:source:sor-{uuid.uuid4().hex[:6]}"
    return uri, await register_source(p, uri, kind="civil_society", name=name)


async def taken_at_scheduling(p: Platform, key: str, path: str, status: int = 200) -> None:
    """Wait (bounded) until scheduling answers ``path`` to ``key`` with ``status``: the source's event arrived."""
    async def check():
        return (await p.http["scheduling"].get(path, headers=as_source(key))).status_code == status

    await eventually(check, timeout=30, what=f"{status} for {path}")


async def booked(p: Platform, source: str, parties: list[int]) -> tuple[str, list[dict]]:
    s = await published_session(p.http["scheduling"], p.kafka, 3, source)
    sid, regs = s["session_id"], []
    for i, party in enumerate(parties):
        r = await p.http["scheduling"].post(f"/v1/sessions/{sid}/registrations",
                                            json={"name": f"Person{i}", "email": f"p{i}@example.org", "party_size": party})
        assert r.status_code == 201, r.text
        regs.append(r.json())
    return sid, regs


async def test_a_publisher_acts_at_its_own_session_and_sees_its_counts(both):
    sched = both.http["scheduling"]
    uri, key = await publisher(both, "Föreningen Ljus")
    sid, regs = await booked(both, uri, [2, 1, 2])
    await taken_at_scheduling(both, key, f"/v1/sessions/{sid}")
    listed = await sched.get(f"/v1/sessions/{sid}/registrations", headers=as_source(key))
    assert listed.status_code == 200 and [r["code"] for r in listed.json()] == [r["code"] for r in regs]
    assert "example.org" not in listed.text and "Person0" not in listed.text, "codes, never contacts"
    checked = await sched.post(f"/v1/sessions/{sid}/check-in", json={"code": regs[0]["code"]}, headers=as_source(key))
    assert checked.status_code == 200 and checked.json()["attended"] is True
    mine = await sched.get("/v1/my/sessions", headers=as_source(key))
    assert mine.status_code == 200
    [row] = mine.json()
    assert row["session_id"] == sid and row["title"]["sv"]
    assert (row["capacity"], row["seats_confirmed"], row["waitlisted"], row["checked_in"]) == (3, 3, 1, 1)
    assert (await sched.post(f"/v1/sessions/{sid}/cancel", json={}, headers=as_source(key))).status_code == 403, "the schedulers' only"
    assert (await sched.patch(f"/v1/sessions/{sid}", json={"capacity": 9}, headers=as_source(key))).status_code == 403
    assert (await sched.get("/v1/my/sessions", headers=SCHEDULER)).status_code == 403, "staff have no sessions of their own"
    staff = await sched.get(f"/v1/sessions/{sid}/registrations", headers=SCHEDULER)
    assert staff.status_code == 200, "staff keep every right"


async def test_another_publishers_session_is_a_404_and_stays_as_it_was(both):
    sched = both.http["scheduling"]
    uri, _ = await publisher(both, "Kulturförvaltningen")
    _, other_key = await publisher(both, "Föreningen Mörker")
    sid, regs = await booked(both, uri, [1])
    await taken_at_scheduling(both, other_key, "/v1/my/sessions")
    for answer in (await sched.get(f"/v1/sessions/{sid}", headers=as_source(other_key)),
                   await sched.get(f"/v1/sessions/{sid}/registrations", headers=as_source(other_key)),
                   await sched.post(f"/v1/sessions/{sid}/check-in", json={"code": regs[0]["code"]}, headers=as_source(other_key))):
        assert answer.status_code == 404 and answer.json()["detail"][0]["field"] == "session_id", answer.text
    staff = (await sched.get(f"/v1/sessions/{sid}/registrations", headers=SCHEDULER)).json()
    assert [r["attended"] for r in staff] == [False], "nothing checked in"
    assert (await sched.get("/v1/my/sessions", headers=as_source(other_key))).json() == []


async def test_a_revoked_key_and_a_deactivated_source_stop_working_at_scheduling(both):
    registry = both.http["registry"]
    uri, first = await publisher(both, "Föreningen Byte")
    second = (await registry.post(f"/v1/sources/{uri}/keys", headers=CURATOR)).json()["api_key"]
    sid, _ = await booked(both, uri, [1])
    await taken_at_scheduling(both, second, f"/v1/sessions/{sid}")
    assert (await both.http["scheduling"].get(f"/v1/sessions/{sid}", headers=as_source(first))).status_code == 200
    assert (await registry.delete(f"/v1/sources/{uri}/keys/{key_id_of(first)}", headers=CURATOR)).status_code == 200
    await taken_at_scheduling(both, first, f"/v1/sessions/{sid}", 401)
    assert (await both.http["scheduling"].get(f"/v1/sessions/{sid}", headers=as_source(second))).status_code == 200
    assert (await registry.patch(f"/v1/sources/{uri}", json={"active": False}, headers=CURATOR)).status_code == 200
    await taken_at_scheduling(both, second, f"/v1/sessions/{sid}", 401)
    assert (await registry.patch(f"/v1/sources/{uri}", json={"active": True}, headers=CURATOR)).status_code == 200
    await taken_at_scheduling(both, second, f"/v1/sessions/{sid}")
    assert (await both.http["scheduling"].get(f"/v1/sessions/{sid}", headers=as_source(first))).status_code == 401, "still revoked"
