"""What the run does to the platform, as its users would: publishers' systems on Kafka, a city
office over REST, residents registering from the programme page's API. Every client here
retries the way a well-behaved client does while the platform is being hurt: the same event
again, the same registration under the same ``Idempotency-Key``, the same change again."""

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time as clock, timedelta
from zoneinfo import ZoneInfo

import httpx
from aiokafka import AIOKafkaProducer
from shared.kafka.security import client_options

from chaos.processes import url
from chaos.workload import Resident, source_kind, source_uri, submission_data

MALMO = ZoneInfo("Europe/Stockholm")
EDITION = "om-chaos"
TRANSIENT = (408, 425, 429, 500, 502, 503, 504)


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


async def call(http: httpx.AsyncClient, method: str, target: str, *, deadline_s: float = 600, ok=(200, 201), **kwargs) -> httpx.Response:
    """The request until it gets a definite answer: connection trouble and 5xx/429 are tried again."""
    deadline = time.monotonic() + deadline_s
    pause = 0.2
    while True:
        try:
            r = await http.request(method, target, **kwargs)
            if r.status_code not in TRANSIENT:
                return r
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{method} {target}: no answer within {deadline_s:.0f} s")
        await asyncio.sleep(pause)
        pause = min(pause * 1.5, 3)


class Producer:
    """aiokafka with the publishers' settings; a send is repeated until the broker has it."""

    def __init__(self, bootstrap: str):
        self._bootstrap = bootstrap
        self._producer: AIOKafkaProducer | None = None
        self.retries = 0

    async def _ensure(self) -> AIOKafkaProducer:
        if self._producer is None:
            self._producer = AIOKafkaProducer(bootstrap_servers=self._bootstrap, enable_idempotence=True, linger_ms=5, request_timeout_ms=15_000, **client_options())
            await self._producer.start()
        return self._producer

    async def send(self, topic: str, key: str, value: bytes) -> None:
        while True:
            try:
                await (await self._ensure()).send_and_wait(topic, value, key=key.encode())
                return
            except Exception:
                self.retries += 1
                if self._producer is not None:
                    try:
                        await self._producer.stop()
                    except Exception:
                        pass
                    self._producer = None
                await asyncio.sleep(1)

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()


def local(day: date, hour: int) -> datetime:
    return datetime.combine(day, clock(hour), tzinfo=MALMO)


@dataclass
class Programme:
    sessions: list[str] = field(default_factory=list)  # session ids, by index
    starts: dict[str, datetime] = field(default_factory=dict)
    capacity: int = 0


async def register_sources(http: httpx.AsyncClient, keys: dict[str, str], count: int) -> None:
    for n in range(count):
        body = {"source": source_uri(n), "kind": source_kind(n), "name": {"sv": f"Källa {n:02d}", "en": f"Source {n:02d}"}}
        r = await call(http, "POST", f"{url('registry')}/v1/sources", json=body, headers=bearer(keys["curator"]), ok=(201, 409))
        if r.status_code not in (201, 409):
            raise RuntimeError(f"registering {source_uri(n)}: {r.status_code} {r.text}")


async def programme(http: httpx.AsyncClient, producer: Producer, keys: dict[str, str], sessions: int, seats: int) -> Programme:
    """Initiatives for the sessions (on Kafka, as publishers send them), stamped by a curator;
    a forum period from the day after tomorrow, venues, one session per initiative, published."""
    curator, scheduler = bearer(keys["curator"]), bearer(keys["scheduler"])
    initiative_ids = await _approved_initiatives(http, producer, curator, sessions)
    days = await _edition(http, scheduler)
    venue_ids = await _venues(http, scheduler, days, seats)
    out = await _sessions(http, scheduler, initiative_ids, days, venue_ids, seats)
    r = await call(http, "POST", f"{url('scheduling')}/v1/editions/{EDITION}/publish", headers=scheduler)
    if r.status_code not in (200, 409):
        raise RuntimeError(f"publish: {r.status_code} {r.text}")
    return out


async def _approved_initiatives(http: httpx.AsyncClient, producer: Producer, curator: dict[str, str], count: int) -> list[str]:
    """``count`` submissions sent on Kafka, each taken by the registry and approved; their initiative ids."""
    rng = random.Random(7)
    ids = []
    for n in range(count):
        external_id = f"P-{n:03d}"
        data = submission_data(rng, n % 4, external_id, 1)
        event = {"specversion": "1.0", "id": f"chaos-programme-{n}", "source": source_uri(n % 4), "type": "se.malmo.oppna.initiative.submitted.v1",
                 "subject": external_id, "time": "2026-09-01T09:00:00+02:00", "datacontenttype": "application/json", "data": data}
        await producer.send("registry.submissions.v1", external_id, json.dumps(event).encode())
        ids.append((source_uri(n % 4), external_id))
    initiative_ids = []
    for source, external_id in ids:
        for _ in range(600):
            r = await http.get(f"{url('registry')}/v1/lookup", params={"source": source, "external_id": external_id}, headers=curator)
            if r.status_code == 200:
                break
            await asyncio.sleep(0.2)
        else:
            raise RuntimeError(f"the registry never took {external_id}")
        iid = r.json()["initiative_id"]
        initiative_ids.append(iid)
        for decision in ("in_review", "approved"):
            r = await call(http, "POST", f"{url('registry')}/v1/initiatives/{iid}/review", json={"decision": decision, "comment": "OK"}, headers=curator)
            if r.status_code not in (200, 409):
                raise RuntimeError(f"review of {iid}: {r.status_code} {r.text}")
    return initiative_ids


async def _edition(http: httpx.AsyncClient, scheduler: dict[str, str]) -> list[date]:
    """The run's edition, planned over 14 days from three days ahead; returns those days."""
    today = datetime.now(UTC).date()
    days = [today + timedelta(days=3 + d) for d in range(14)]
    r = await call(http, "POST", f"{url('scheduling')}/v1/editions", headers=scheduler, json={
        "edition_id": EDITION, "name": {"sv": "Öppna Malmö (kaostest)", "en": "Open Malmö (chaos test)"}, "year": days[0].year,
        "starts_on": days[0].isoformat(), "ends_on": days[-1].isoformat(), "budget_sek": 3_780_000})
    if r.status_code not in (200, 201, 409):  # 200: planned by an earlier run; 409: one on other days
        raise RuntimeError(f"edition: {r.status_code} {r.text}")
    return days


async def _venues(http: httpx.AsyncClient, scheduler: dict[str, str], days: list[date], seats: int) -> list[str]:
    """Two venues of ``seats`` seats, open 07–23 every day of the edition; their ids."""
    windows = [{"starts_at": local(d, 7).isoformat(), "ends_at": local(d, 23).isoformat()} for d in days]
    venue_ids = []
    for v in range(2):
        # Set up before any fault, so a plain POST (not idempotent) is taken once.
        r = await call(http, "POST", f"{url('scheduling')}/v1/venues", headers=scheduler, json={
            "name": f"Kaoshallen {v}", "address": f"Testgatan {v + 1}, 211 00 Malmö", "district": "centrum", "capacity": seats,
            "accessibility": ["wheelchair_access"], "availability": windows})
        if r.status_code not in (200, 201):
            raise RuntimeError(f"venue: {r.status_code} {r.text}")
        venue_ids.append(r.json()["venue_id"])
    return venue_ids


async def _sessions(http: httpx.AsyncClient, scheduler: dict[str, str], initiative_ids: list[str], days: list[date],
                    venue_ids: list[str], seats: int) -> Programme:
    """One session per initiative, once scheduling has its copy of the stamp."""
    out = Programme(capacity=seats)
    for n, iid in enumerate(initiative_ids):
        for _ in range(600):  # scheduling follows the registry: wait for its copy of the stamp
            copy = await http.get(f"{url('scheduling')}/v1/initiatives/{iid}")
            if copy.status_code == 200 and copy.json().get("stamped"):
                break
            await asyncio.sleep(0.2)
        session_id = f"chaos-{n:03d}"
        # Each session at its own hour: two sessions of one organiser at once would be a blocking
        # conflict (organizer_double_booked). Four slots a day, room to move each twice.
        start = local(days[(n // 4) % len(days)], 8 + 4 * (n % 4))
        r = await call(http, "POST", f"{url('scheduling')}/v1/sessions", headers=scheduler, json={
            "session_id": session_id, "edition_id": EDITION, "initiative_id": iid, "venue_id": venue_ids[n % 2],
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
            "capacity": seats, "languages": ["sv", "en"], "max_party_size": 4})
        if r.status_code != 201:
            raise RuntimeError(f"session {session_id}: {r.status_code} {r.text}")
        out.sessions.append(session_id)
        out.starts[session_id] = start
    return out


async def stream(producer: Producer, messages: list[tuple[str, bytes]], seconds: float) -> None:
    """The publishers' events, evenly over ``seconds`` (an open loop: the platform's trouble
    does not slow the publishers down, it only makes their sends wait for the broker)."""
    started = time.monotonic()
    step = seconds / max(1, len(messages))
    batch = 50
    for i in range(0, len(messages), batch):
        await asyncio.gather(*(producer.send("registry.submissions.v1", k, v) for k, v in messages[i:i + batch]))
        ahead = started + (i + batch) * step - time.monotonic()
        if ahead > 0:
            await asyncio.sleep(ahead)


@dataclass
class Answer:
    resident: Resident
    session_id: str
    status_code: int
    body: dict


async def register(http: httpx.AsyncClient, run: str, residents: list[Resident], programme: Programme, concurrency: int, seconds: float) -> list[Answer]:
    """Each resident registers once, retrying under one Idempotency-Key until answered."""
    gate = asyncio.Semaphore(concurrency)
    started = time.monotonic()
    step = seconds / max(1, len(residents))

    async def one(i: int, resident: Resident) -> Answer:
        ahead = started + i * step - time.monotonic()
        if ahead > 0:
            await asyncio.sleep(ahead)
        session_id = programme.sessions[resident.session]
        async with gate:
            r = await call(http, "POST", f"{url('scheduling')}/v1/sessions/{session_id}/registrations", json=resident.body(),
                           headers={"idempotency-key": f"{run}-{resident.n}"}, deadline_s=900)
        return Answer(resident, session_id, r.status_code, r.json() if r.headers.get("content-type", "").startswith("application/json") else {"text": r.text})

    return await asyncio.gather(*(one(i, r) for i, r in enumerate(residents)))


async def reschedule(http: httpx.AsyncClient, keys: dict[str, str], programme: Programme, session_ids: list[str], hours: int = 1) -> None:
    """Move each session later, once; the same change is repeated until answered (a repeat of
    an applied change changes nothing)."""
    for session_id in session_ids:
        start = programme.starts[session_id] + timedelta(hours=hours)
        body = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}
        r = await call(http, "PATCH", f"{url('scheduling')}/v1/sessions/{session_id}", json=body, headers=bearer(keys["scheduler"]))
        if r.status_code != 200:
            raise RuntimeError(f"rescheduling {session_id}: {r.status_code} {r.text}")
        programme.starts[session_id] = start
