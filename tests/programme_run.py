"""A small forum, made through the services as their users make it: a publisher's initiatives
submitted over REST and stamped by a curator, an edition with a venue and one session each,
published, and residents registering. For tests that need the platform holding real data."""

import asyncio
from datetime import UTC, date, datetime, time as clock, timedelta
from zoneinfo import ZoneInfo

from shared.auth import Role
from tests.platform import Platform, as_role, as_source, eventually, register_source, submission

MALMO = ZoneInfo("Europe/Stockholm")


async def stamped_initiatives(p: Platform, tag: str, count: int) -> list[str]:
    """``count`` initiatives of a new publisher ``tag``, approved by a curator; their ids."""
    source = f"urn:malmo:source:{tag}"
    key = await register_source(p, source)
    ids = []
    for n in range(count):
        r = await p.http["registry"].post("/v1/submissions", json=submission(source, f"{tag}-{n}"), headers=as_source(key))
        assert r.status_code == 202, r.text
        ids.append(r.json()["initiative_id"])
    for iid in ids:
        for decision in ("in_review", "approved"):
            r = await p.http["registry"].post(f"/v1/initiatives/{iid}/review", json={"decision": decision, "comment": "OK"}, headers=as_role(Role.curator))
            assert r.status_code == 200, r.text
    return ids


async def submit_more(p: Platform, tag: str, numbers: range) -> list[str]:
    """More initiatives of the publisher ``tag`` (registered by ``stamped_initiatives``), not reviewed."""
    source = f"urn:malmo:source:{tag}"
    key = (await p.http["registry"].post(f"/v1/sources/{source}/keys", headers=as_role(Role.curator))).json()["api_key"]
    ids = []
    for n in numbers:
        r = await p.http["registry"].post("/v1/submissions", json=submission(source, f"{tag}-{n}"), headers=as_source(key))
        assert r.status_code == 202, r.text
        ids.append(r.json()["initiative_id"])
    return ids


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, clock(hour), tzinfo=MALMO)


async def published_programme(p: Platform, edition_id: str, initiative_ids: list[str], seats: int) -> list[str]:
    """An edition from three days ahead, one venue, a session of each initiative, published; the session ids."""
    scheduler, http = as_role(Role.scheduler), p.http["scheduling"]
    days = [datetime.now(UTC).date() + timedelta(days=3 + d) for d in range(7)]
    r = await http.post("/v1/editions", headers=scheduler, json={
        "edition_id": edition_id, "name": {"sv": "Öppna Malmö (test)", "en": "Open Malmö (test)"}, "year": days[0].year,
        "starts_on": days[0].isoformat(), "ends_on": days[-1].isoformat(), "budget_sek": 1_000_000})
    assert r.status_code in (200, 201), r.text
    r = await http.post("/v1/venues", headers=scheduler, json={
        "name": "Testhallen", "address": "Testgatan 1, 211 00 Malmö", "district": "centrum", "capacity": seats,
        "accessibility": ["wheelchair_access"], "availability": [{"starts_at": _local(d, 7).isoformat(), "ends_at": _local(d, 23).isoformat()} for d in days]})
    assert r.status_code in (200, 201), r.text
    venue_id = r.json()["venue_id"]
    session_ids = []
    for n, iid in enumerate(initiative_ids):
        await eventually(lambda: _stamped_copy(p, iid), timeout=60, what=f"scheduling's copy of {iid}'s stamp")
        start = _local(days[n % len(days)], 8 + 2 * (n // len(days)))
        session_id = f"{edition_id}-s{n}"
        r = await http.post("/v1/sessions", headers=scheduler, json={
            "session_id": session_id, "edition_id": edition_id, "initiative_id": iid, "venue_id": venue_id,
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
            "capacity": seats, "languages": ["sv", "en"], "max_party_size": 4})
        assert r.status_code == 201, r.text
        session_ids.append(session_id)
    r = await http.post(f"/v1/editions/{edition_id}/publish", headers=scheduler)
    assert r.status_code == 200, r.text
    return session_ids


async def _stamped_copy(p: Platform, iid: str) -> bool:
    r = await p.http["scheduling"].get(f"/v1/initiatives/{iid}")
    return r.status_code == 200 and bool(r.json().get("stamped"))


async def register(p: Platform, session_id: str, n: int, tag: str) -> dict:
    """Resident ``n`` registers (under an Idempotency-Key, as a browser retrying would); the answer."""
    body = {"name": f"Testa Testsson{n:04d}", "email": f"{tag}.resident{n:04d}@example.se", "language": "sv", "party_size": 1}
    r = await p.http["scheduling"].post(f"/v1/sessions/{session_id}/registrations", json=body, headers={"idempotency-key": f"{tag}-{n}"})
    assert r.status_code in (200, 201), r.text
    return r.json()


async def register_all(p: Platform, session_ids: list[str], numbers: range, tag: str) -> list[dict]:
    """Residents ``numbers`` register, spread over the sessions, a few at a time."""
    gate = asyncio.Semaphore(4)

    async def one(n: int) -> dict:
        async with gate:
            return await register(p, session_ids[n % len(session_ids)], n, tag)

    return list(await asyncio.gather(*(one(n) for n in numbers)))
