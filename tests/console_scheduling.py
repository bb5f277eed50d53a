"""Helpers for the scheduler's console tests: the real scheduling service on a real port (the
console calls it over HTTP, as in production; check-in opens four days ahead, so a session three
days away takes codes now), and a published session with registrations."""

import contextlib
from collections.abc import AsyncIterator

import httpx

from services.scheduling.main import create_app as scheduling_app
from shared.auth import Role
from tests.console import OnAPort, on_a_port
from tests.endpoints import Endpoints
from tests.integration.test_scheduling_support import DoorOpensDaysAhead, days_ahead, published_session
from tests.platform import RawKafka, as_role

SCHEDULER = as_role(Role.scheduler)


@contextlib.asynccontextmanager
async def scheduling_on_a_port(infra: Endpoints, run_id: str) -> AsyncIterator[tuple[OnAPort, RawKafka]]:
    """Scheduling on a free loopback port, and the broker to stamp initiatives on the registry's topic."""
    async with on_a_port(infra, run_id, scheduling_app, DoorOpensDaysAhead) as sched, RawKafka(infra.kafka, f"{run_id}.") as kafka:
        yield sched, kafka


async def register(http: httpx.AsyncClient, session_id: str, name: str, party_size: int = 1) -> dict:
    """A resident's registration (its answer: status, code, …), as the public form sends it."""
    r = await http.post(f"/v1/sessions/{session_id}/registrations",
                        json={"name": name, "email": f"{name.lower()}@example.org", "party_size": party_size})
    assert r.status_code == 201, r.text
    return r.json()


async def session_with_registrations(sched: OnAPort, kafka: RawKafka, capacity: int, parties: list[int],
                                     source: str = "urn:malmo:source:test") -> tuple[dict, list[dict]]:
    """A published session of ``source``'s initiative in three days (check-in open now) and one registration per party size."""
    s = await published_session(sched.http, kafka, capacity, source)
    return s, [await register(sched.http, s["session_id"], f"Person{i}", p) for i, p in enumerate(parties)]


async def later_session(sched: OnAPort, s: dict, days: int = 10) -> str:
    """Another published session of ``s``'s initiative, ``days`` away: its door is not open yet."""
    body = {"edition_id": s["edition_id"], "initiative_id": s["initiative_id"], "venue_id": s["venue_id"], "capacity": 10,
            "starts_at": days_ahead(days, 16).isoformat(), "duration_minutes": 60}
    r = await sched.http.post("/v1/sessions", json=body, headers=SCHEDULER)
    assert r.status_code == 201, r.text
    sid = r.json()["session"]["session_id"]
    assert (await sched.http.post(f"/v1/sessions/{sid}/publish", headers=SCHEDULER)).status_code == 200
    return sid
