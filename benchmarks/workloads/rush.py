"""Registration rush: R residents registering for S sessions at once (public REST, concurrent).
Figure: confirmations per second; overbooking (confirmed seats beyond capacity) read back from the
schedulers' view of each session's registrations. Also makes the edition the programme API
workload serves (S published sessions).

Each resident sends one Idempotency-Key and, like a browser's retry, sends the same request again
after a 503/429 (waiting Retry-After) or a dropped connection: a retry can never take a second
seat, and what is counted is each resident's final answer (the 5xx and dropped connections met on
the way are counted too). Each client connects from its own loopback address (127.0.x.y), as
residents come from many addresses, so the per-address sign-up rate limit does not stand in for
the service's capacity."""

import asyncio
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx

from benchmarks.common import Result, percentile

SIZES = {"full": {"residents": 5_000, "sessions": 20, "capacity": 200, "concurrency": 64},
         "small": {"residents": 100, "sessions": 4, "capacity": 20, "concurrency": 16}}
ATTEMPTS = 8  # per resident: the first request and its retries under the same Idempotency-Key
# How long to wait for every resident's e-mail (confirmed or waitlisted) at the platform's mailbox
# (MAILBOX_URL, the local SMTP sink make run starts) after the last answer.
TOLD_WAIT_S = {"full": 240, "small": 60}


async def told(ctx, http: httpx.AsyncClient, started: float, residents: int, wait_s: float) -> dict:
    """When each resident had their e-mail: what a resident checks after registering. Also lets
    the rush's messages leave before the next workload, so that one is measured on its own."""
    mailbox = ctx.env.get("MAILBOX_URL")
    if not mailbox:
        return {"reason": "no MAILBOX_URL: the platform runs without the local mailbox"}
    prefix = f"resident-{ctx.run_id}-"
    deadline, emailed, last = time.perf_counter() + wait_s, set(), None
    while time.perf_counter() < deadline:
        try:
            received = (await http.get(mailbox)).json()
        except httpx.HTTPError as exc:  # the figures above stand without it
            return {"reason": f"mailbox unreadable: {exc!r}"}
        now = {e["to"] for e in received.get("emails", []) if str(e.get("to", "")).startswith(prefix)}
        if len(now) > len(emailed):
            emailed, last = now, time.perf_counter()
        if len(emailed) >= residents:
            break
        await asyncio.sleep(1.0)
    return {"residents_emailed": len(emailed), "of": residents, "all_told": len(emailed) >= residents,
            "last_told_s_after_start": last and round(last - started, 1), "waited_up_to_s": wait_s}


def loopback(n: int) -> str:
    """The n-th client's own address in 127.0.0.0/8 (Linux routes all of it to lo)."""
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


async def register_once(http: httpx.AsyncClient, url: str, body: dict, key: str, seen: Counter) -> str:
    """One resident's registration, retried under one Idempotency-Key until it has an answer.
    Returns the final outcome; ``seen`` counts every 5xx and dropped connection on the way."""
    outcome = "no answer"
    for attempt in range(ATTEMPTS):
        try:
            r = await http.post(url, json=body, headers={"idempotency-key": key})
        except httpx.HTTPError as exc:
            seen[f"error:{type(exc).__name__}"] += 1
            outcome = f"error:{type(exc).__name__}"
            await asyncio.sleep(min(2.0, 0.1 * 2**attempt))
            continue
        if r.status_code in (429, 503):
            seen[str(r.status_code)] += 1
            outcome = str(r.status_code)
            await asyncio.sleep(min(5.0, float(r.headers.get("retry-after", "1"))))
            continue
        if r.status_code >= 500:
            seen[str(r.status_code)] += 1
        if r.status_code in (200, 201):
            return r.json().get("status", str(r.status_code))
        return str(r.status_code)
    return outcome


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
    per_client = max(1, s["concurrency"] // 16)  # 16 clients (16 addresses), a few connections each
    clients = [httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client),
                                 transport=httpx.AsyncHTTPTransport(local_address=loopback(n), limits=httpx.Limits(max_connections=per_client)))
               for n in range(16)]
    async with httpx.AsyncClient(timeout=60) as http:
        sessions = await make_programme(ctx, http, s["sessions"], s["capacity"])
        for _ in range(100):  # the public view follows the sessions' events
            if (await http.get(f"{ctx.url('scheduling')}/v1/programme/sessions/{sessions[-1]}")).status_code == 200:
                break
            await asyncio.sleep(0.2)
        queue = list(range(s["residents"]))
        outcomes: Counter = Counter()
        seen: Counter = Counter()  # 5xx, 429 and dropped connections met on the way, retried
        latencies: list[float] = []
        url = ctx.url("scheduling")
        with ctx.bar(s["residents"], "rush: registrations") as bar:

            async def resident_worker(w: int):
                client = clients[w % len(clients)]
                while queue:
                    i = queue.pop()
                    body = {"name": f"Invånare {i}", "email": f"resident-{ctx.run_id}-{i}@example.org", "language": "sv"}
                    key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"rush/{ctx.run_id}/{i}"))
                    t = time.perf_counter()
                    outcomes[await register_once(client, f"{url}/v1/sessions/{sessions[i % len(sessions)]}/registrations", body, key, seen)] += 1
                    latencies.append((time.perf_counter() - t) * 1000)
                    bar.update(1)

            started = time.perf_counter()
            try:
                await asyncio.gather(*(resident_worker(w) for w in range(s["concurrency"])))
            finally:
                for client in clients:
                    await client.aclose()
            elapsed = time.perf_counter() - started
        overbooked, confirmed_seats = 0, 0
        staff = ctx.staff("scheduler")
        for sid in sessions:
            regs = (await http.get(f"{url}/v1/sessions/{sid}/registrations", headers=staff)).json()
            items = regs if isinstance(regs, list) else regs.get("registrations") or regs.get("items") or []
            seats = sum(x.get("party_size", 1) for x in items if x.get("status") == "confirmed")
            confirmed_seats += seats
            overbooked += max(0, seats - s["capacity"])
        emails = await told(ctx, http, started, s["residents"], TOLD_WAIT_S[size])
    ctx.shared["rush_latencies_ms"] = latencies
    rate = outcomes.get("confirmed", 0) / elapsed
    ceiling = ctx.ceilings.get("db_upsert_per_s")
    ratio = rate / ceiling if ceiling else None
    expected = min(s["residents"], s["sessions"] * s["capacity"])
    return Result(f"registration rush: {s['residents']:,} residents, {s['sessions']} sessions", round(rate, 1), "confirmations/s",
                  ceiling=ceiling and round(ceiling, 1), ceiling_name="DB upsert by _id (8 concurrent)", ratio=ratio and round(ratio, 3),
                  goal="0 overbooked; ≥ 50 % of upsert ceiling",
                  passed=overbooked == 0 and ratio is not None and ratio >= 0.5 and outcomes.get("confirmed", 0) == expected,
                  details={"outcomes": dict(outcomes), "retried_after": dict(seen), "http_5xx": sum(v for k, v in seen.items() if k.startswith("5")),
                           "dropped_connections": sum(v for k, v in seen.items() if k.startswith("error:")), "overbooked_seats": overbooked, "confirmed_seats_read_back": confirmed_seats,
                           "seats_available": s["sessions"] * s["capacity"], "expected_confirmed": expected, "elapsed_s": round(elapsed, 2),
                           "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99), "edition": ctx.shared.get("edition_id"),
                           "told_by_email": emails, **s})
