"""Registration rush: R residents registering for S sessions at once (public REST, concurrent).
Figure: confirmations per second; overbooking (confirmed seats beyond capacity) read back from the
schedulers' view of each session's registrations. Also makes the edition the programme API
workload serves (S published sessions)."""

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx

from benchmarks.common import Result, percentile

SIZES = {"full": {"residents": 5_000, "sessions": 20, "capacity": 200, "concurrency": 64},
         "small": {"residents": 100, "sessions": 4, "capacity": 20, "concurrency": 16}}


def at(days: int, hour: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()


DEMO_STAMPED = [("urn:malmo:source:kulturforvaltningen", "KF-2025-001"), ("urn:malmo:source:funktionsstodsforvaltningen", "FSF-2025-01"),
                ("urn:malmo:source:malmo-ungdomsrad", "MUR-2025-A"), ("urn:malmo:source:eccar", "ECCAR-MAL-1")]  # deploy/local/demo_data.py


async def stamped_initiatives(http: httpx.AsyncClient, registry: str) -> list[str]:
    # The demo's stamped initiatives by (source, external_id): an indexed lookup. Listing by status
    # is a full scan in FerretDB and timed out (500) once the ingest workload had grown the registry.
    found = []
    for source, external_id in DEMO_STAMPED:
        r = await http.get(f"{registry}/v1/lookup", params={"source": source, "external_id": external_id})
        if r.status_code == 200 and r.json().get("stamped"):
            found.append(r.json()["initiative_id"])
    if found:
        return found
    r = await http.get(f"{registry}/v1/initiatives", params={"limit": 50, "status": "approved"})
    r.raise_for_status()
    return [i["initiative_id"] for i in r.json()["items"] if i.get("stamped")]


async def make_programme(ctx, http: httpx.AsyncClient, sessions: int, capacity: int) -> list[str]:
    sched, staff = ctx.url("scheduling"), ctx.staff("scheduler")
    edition = f"bench-{ctx.run_id}"
    first, last = 3, 3 + sessions
    r = await http.post(f"{sched}/v1/editions", headers=staff, json={
        "edition_id": edition, "name": {"sv": f"Benchmark {ctx.run_id}", "en": f"Benchmark {ctx.run_id}"},
        "year": datetime.now(UTC).year, "starts_on": at(first, 6)[:10], "ends_on": at(last, 6)[:10], "budget_sek": 1_000_000})
    r.raise_for_status()
    windows = [{"starts_at": at(d, 6), "ends_at": at(d, 21)} for d in range(first, last + 1)]
    venues = []
    for v in range(2):
        r = await http.post(f"{sched}/v1/venues", headers=staff, json={
            "name": f"Bench hall {ctx.run_id} {v}", "address": "Lönngatan 30, Malmö", "district": "rosengard",
            "capacity": max(capacity, 100), "accessibility": ["wheelchair_access"], "availability": windows})
        r.raise_for_status()
        venues.append(r.json()["venue_id"])
    initiatives = await stamped_initiatives(http, ctx.url("registry"))
    if not initiatives:
        raise RuntimeError("no stamped initiative: run `make run` (demo data) first")
    ids = []
    for i in range(sessions):
        sid = f"bench-{ctx.run_id}-{i}"
        r = await http.post(f"{sched}/v1/sessions", headers=staff, json={
            "session_id": sid, "edition_id": edition, "initiative_id": initiatives[i % len(initiatives)],
            "venue_id": venues[i % 2], "starts_at": at(first + i // 2, 17), "ends_at": at(first + i // 2, 19),
            "capacity": capacity, "languages": ["sv", "en"], "registration_required": True})
        if r.status_code != 201:
            raise RuntimeError(f"session {sid}: {r.status_code} {r.text[:300]}")
        ids.append(sid)
    r = await http.post(f"{sched}/v1/editions/{edition}/publish", headers=staff)
    r.raise_for_status()
    ctx.shared["edition_id"] = edition
    return ids


async def run(ctx, size: str) -> Result:
    s = SIZES[size]
    limits = httpx.Limits(max_connections=s["concurrency"], max_keepalive_connections=s["concurrency"])
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        sessions = await make_programme(ctx, http, s["sessions"], s["capacity"])
        for _ in range(100):  # the public view follows the sessions' events
            if (await http.get(f"{ctx.url('scheduling')}/v1/programme/sessions/{sessions[-1]}")).status_code == 200:
                break
            await asyncio.sleep(0.2)
        queue = list(range(s["residents"]))
        outcomes: Counter = Counter()
        latencies: list[float] = []
        url = ctx.url("scheduling")
        with ctx.bar(s["residents"], "rush: registrations") as bar:

            async def resident_worker():
                while queue:
                    i = queue.pop()
                    body = {"name": f"Invånare {i}", "email": f"resident-{ctx.run_id}-{i}@example.org", "language": "sv"}
                    t = time.perf_counter()
                    try:
                        r = await http.post(f"{url}/v1/sessions/{sessions[i % len(sessions)]}/registrations", json=body)
                    except httpx.HTTPError as exc:  # counted, not retried: a resident whose request failed
                        outcomes[f"error:{type(exc).__name__}"] += 1
                    else:
                        outcomes[r.json().get("status", str(r.status_code)) if r.status_code == 201 else str(r.status_code)] += 1
                    latencies.append((time.perf_counter() - t) * 1000)
                    bar.update(1)

            started = time.perf_counter()
            await asyncio.gather(*(resident_worker() for _ in range(s["concurrency"])))
            elapsed = time.perf_counter() - started
        overbooked, confirmed_seats = 0, 0
        staff = ctx.staff("scheduler")
        for sid in sessions:
            regs = (await http.get(f"{url}/v1/sessions/{sid}/registrations", headers=staff)).json()
            items = regs if isinstance(regs, list) else regs.get("registrations") or regs.get("items") or []
            seats = sum(x.get("party_size", 1) for x in items if x.get("status") == "confirmed")
            confirmed_seats += seats
            overbooked += max(0, seats - s["capacity"])
    ctx.shared["rush_latencies_ms"] = latencies
    rate = outcomes.get("confirmed", 0) / elapsed
    ceiling = ctx.ceilings.get("db_upsert_per_s")
    ratio = rate / ceiling if ceiling else None
    expected = min(s["residents"], s["sessions"] * s["capacity"])
    return Result(f"registration rush: {s['residents']:,} residents, {s['sessions']} sessions", round(rate, 1), "confirmations/s",
                  ceiling=ceiling and round(ceiling, 1), ceiling_name="DB upsert by _id (8 concurrent)", ratio=ratio and round(ratio, 3),
                  goal="0 overbooked; ≥ 50 % of upsert ceiling",
                  passed=overbooked == 0 and ratio is not None and ratio >= 0.5 and outcomes.get("confirmed", 0) == expected,
                  details={"outcomes": dict(outcomes), "overbooked_seats": overbooked, "confirmed_seats_read_back": confirmed_seats,
                           "seats_available": s["sessions"] * s["capacity"], "expected_confirmed": expected, "elapsed_s": round(elapsed, 2),
                           "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99), "edition": ctx.shared.get("edition_id"), **s})
