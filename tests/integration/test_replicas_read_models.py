"""Two replicas of scheduling and of reporting on one database each: what one replica changes,
the other serves (its in-memory programme, publishers' keys and figures), within a bounded wait;
registrations for a session's last seats through both never overbook it."""

import asyncio
import contextlib
import statistics
import time
import uuid

import pytest

from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.scheduling.main import create_app as scheduling_app
from services.scheduling.settings import SchedulingSettings
from shared.auth import Role
from tests.integration.test_scheduling_support import (
    copied_with_edition_and_venue,
    days_ahead,
    publish_initiative,
    published_session,
    uid,
    venue_body,
)
from tests.platform import Platform, RawKafka, as_role, eventually, running, settings_for

STAFF = as_role(Role.scheduler)
LAG_SAMPLES = 10


@contextlib.asynccontextmanager
async def two_of_each(infra):
    """Scheduling and reporting, two replicas each (REPLICA_ID -1, -2), sharing a database per
    service and the topics; dropped afterwards."""
    run_id = f"x{uuid.uuid4().hex[:8]}"
    cleanup = Platform(infra, run_id)
    apps = {}
    for name, cls, app in (("scheduling", SchedulingSettings, scheduling_app), ("reporting", ReportingSettings, reporting_app)):
        for n in (1, 2):
            settings = settings_for(cls, infra, run_id, replica_id=f"{name}-{n}", write_leases=True)
            cleanup.settings[name] = settings
            apps[f"{name}-{n}"] = app(settings)
    try:
        async with contextlib.AsyncExitStack() as stack:
            http = {name: await stack.enter_async_context(running(app)) for name, app in apps.items()}
            kafka = await stack.enter_async_context(RawKafka(infra.kafka, f"{run_id}."))
            yield apps, http, kafka
    finally:
        await cleanup.cleanup()


@pytest.fixture(scope="module")
async def replicas(infra):
    async with two_of_each(infra) as running_replicas:
        yield running_replicas


async def free_seats(http, session_id: str) -> int | None:
    r = await http.get(f"/v1/programme/sessions/{session_id}")
    return r.json()["free_seats"] if r.status_code == 200 else None


async def test_what_one_scheduling_replica_writes_the_other_serves(replicas):
    apps, http, kafka = replicas
    a, b = http["scheduling-1"], http["scheduling-2"]
    made = await published_session(a, kafka, capacity=30)  # edition, venue, session planned and published through A
    sid = made["session_id"]
    await eventually(lambda: free_seats(b, sid), what="B's programme to show the session published through A")
    venue = (await a.post("/v1/venues", json=venue_body("Garaget"), headers=STAFF)).json()
    assert (await b.get(f"/v1/venues/{venue['venue_id']}")).status_code == 200, "a venue has no event: B reads it when asked"
    draft = await a.post("/v1/sessions", json={"edition_id": made["edition_id"], "initiative_id": made["initiative_id"], "capacity": 10,
                                               "duration_minutes": 60}, headers=STAFF)
    assert draft.status_code == 201, draft.text
    assert (await b.get(f"/v1/sessions/{draft.json()['session']['session_id']}", headers=STAFF)).status_code == 200, "a draft has no event either"

    lags = []
    for i in range(LAG_SAMPLES):  # each registration through A, until B's programme shows its seat taken
        r = await a.post(f"/v1/sessions/{sid}/registrations", json={"name": f"P{i}", "email": f"p{i}@example.org"})
        assert r.status_code == 201, r.text
        lags.append(await lag_until(lambda: _equals(free_seats(b, sid), 30 - i - 1), f"B's free seats after registration {i}"))
    print(f"\nreplica lag (write on A → B's programme), ms: median {statistics.median(lags):.0f}, max {max(lags):.0f}, all {[round(x) for x in lags]}")
    assert statistics.median(lags) < 5000


async def lag_until(check, what: str, timeout: float = 15) -> float:
    """Milliseconds until ``check`` holds, asked every 2 ms."""
    started = time.perf_counter()
    while not await check():
        assert time.perf_counter() - started < timeout, f"timed out waiting for {what}"
        await asyncio.sleep(0.002)
    return (time.perf_counter() - started) * 1000


@contextlib.contextmanager
def behind(app, subscription: str):
    """The replica's every-replica consumer of ``subscription`` paused: its memory falls behind."""
    runner = next(r for r in app.state.runtime.runners if r.group.endswith(f".{subscription}.{app.state.runtime.settings.replica_id}"))
    consumer = runner._consumer
    consumer.pause(*consumer.assignment())
    try:
        yield
    finally:
        consumer.resume(*consumer.assignment())


async def _status(response, want: int) -> bool:
    return (await response).status_code == want


async def _equals(value, want) -> bool:
    return (await value) == want


async def test_an_edition_published_through_one_replica_publishes_the_sessions_planned_through_the_other(replicas):
    apps, http, kafka = replicas
    a, b = http["scheduling-1"], http["scheduling-2"]
    initiative_id = uid()
    edition, venue = await copied_with_edition_and_venue(a, kafka, initiative_id, STAFF, "the initiative copy")
    await eventually(lambda: _status(b.get(f"/v1/editions/{edition['edition_id']}", headers=STAFF), 200), what="B to know the edition")
    with behind(apps["scheduling-2"], "programme"):  # B has not heard of A's sessions yet (as under load)
        for day in (3, 4, 5):
            r = await a.post("/v1/sessions", json={"edition_id": edition["edition_id"], "initiative_id": initiative_id, "venue_id": venue["venue_id"],
                                                   "capacity": 10, "starts_at": days_ahead(day, 16).isoformat(), "duration_minutes": 60}, headers=STAFF)
            assert r.status_code == 201, r.text
        assert (await b.post(f"/v1/editions/{edition['edition_id']}/publish", headers=STAFF)).status_code == 200

    async def three_published(via):
        return len((await via.get("/v1/programme", params={"edition_id": edition["edition_id"]})).json()["sessions"]) == 3

    for replica in (a, b):
        await eventually(lambda: three_published(replica), timeout=15, what="the three sessions published on both replicas")


async def test_the_last_seats_taken_through_both_replicas_are_never_overbooked(replicas):
    apps, http, kafka = replicas
    a, b = http["scheduling-1"], http["scheduling-2"]
    made = await published_session(a, kafka, capacity=5)
    sid = made["session_id"]
    await eventually(lambda: free_seats(b, sid), what="B to know the session")

    async def register(i: int):
        via = a if i % 2 else b
        return await via.post(f"/v1/sessions/{sid}/registrations", json={"name": f"R{i}", "email": f"r{i}@example.org"},
                              headers={"idempotency-key": f"last-seats-{i}"})

    answers = await asyncio.gather(*(register(i) for i in range(16)))
    assert all(r.status_code == 201 for r in answers), [r.text for r in answers if r.status_code != 201]
    statuses = [r.json()["status"] for r in answers]
    assert statuses.count("confirmed") == 5 and statuses.count("waitlisted") == 11, statuses
    listed = (await a.get(f"/v1/sessions/{sid}/registrations", headers=STAFF)).json()
    assert sum(x["party_size"] for x in listed if x["status"] == "confirmed") == 5
    assert sorted(x["waitlist_position"] for x in listed if x["status"] == "waitlisted") == list(range(1, 12))
    for replica in (a, b):
        await eventually(lambda: _equals(free_seats(replica, sid), 0), timeout=15, what="both programmes to show the session full")


async def test_both_reporting_replicas_hold_the_same_figures(replicas):
    apps, http, kafka = replicas
    ids = [uid() for _ in range(5)]
    for initiative_id in ids:
        await publish_initiative(kafka, initiative_id)

    async def both_counted():
        models = [apps[f"reporting-{n}"].state.read_model for n in (1, 2)]
        return all(set(ids) <= set(m.initiatives) for m in models)

    await eventually(both_counted, what="both reporting replicas to count every initiative")

    async def equal_models():
        one, two = (apps[f"reporting-{n}"].state.read_model for n in (1, 2))
        return one.initiatives == two.initiatives and one.sessions == two.sessions and one.registrations == two.registrations

    await eventually(equal_models, what="the two replicas' models to be equal")
    figures = [(await http[f"reporting-{n}"].get("/v1/figures/initiatives", headers=as_role(Role.analyst))).json() for n in (1, 2)]
    assert figures[0] == figures[1] and figures[0]["total"] >= len(ids)
