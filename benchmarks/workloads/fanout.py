"""Fan-out: one programme change to N registrants (full: 100,000; small: 1,000), timed from the
``session.rescheduled`` event on the scheduling topic until every email and SMS is handed to the
local test servers (counted at ``GET /_received`` of ``python -m services.notifications.devservers``).
*En ändring i programmet till N anmälda: tid tills varje e-post och sms lämnats till testservrarna.*

The change's messages are kept a page of registrants to a document (docs/decisions/0009-fan-out-pages.md),
so the ceiling is the engine's floor for those pages' writes (``benchmarks/message_writes.py``).

Who a change reaches: notifications tells a session's registrants (confirmed and waitlisted) of a
change, by their chosen channel (``triggers.fire_notices``); subscribers get digests of new
sessions, not change notices. So the N recipients are N confirmed registrations of one session.

Set-up, honestly: the session is published through the real topic. The N registrations and their
contacts are written by a benchmark-only bulk path — ``AggregateStore.change(new=True)`` on the same
collections (``registrations``, ``contacts``) and in the same documents that the service's consumers
write from ``scheduling.registrations.v1`` / ``scheduling.contacts.v1`` — because going through the
topics would also send N confirmations first. Everything timed is the service's real path: the
rescheduled event is consumed, the debounced notice fires (``CHANGE_DEBOUNCE_S=0``), N messages are
created, rendered, marked and handed over by the SMTP adapter (aiosmtplib) and the SMS adapter (HTTP, in batches).

A private notifications process (own database and topic prefix) and a devservers process run for
the workload, so the platform's own notifications service and its settings are untouched.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from benchmarks import cpu_use
from benchmarks.common import ROOT, Result
from services.notifications.adapters.copies import contact_fields, registration_fields
from services.notifications.devservers import free_port
from shared.db.aggregates import AggregateStore
from shared.decisions import Decision
from shared.envelope import new_event
from shared.events import scheduling as ev
from shared.kafka.security import client_options
from shared.kafka.topic_admin import delete_prefixed_topics

SIZES = {"full": 100_000, "small": 1_000}  # BENCH_FANOUT_N overrides
# At most this long handing over (BENCH_FANOUT_BUDGET_S overrides): make bench has 15 minutes
# for everything, and a rate far below the goal would take the rest of them; the figure is then
# the time all N would take at the rate measured.
BUDGET_S = 150.0
GOAL_S = 20.0
SCHED = "urn:malmo:oppna:scheduling"
SMS_SHARE = 4  # every 4th registrant chose SMS, the others email


def _settings(prefix: str, http_port: int, smtp_port: int, sms_port: int, env: dict) -> dict:
    return {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": env["KAFKA_BOOTSTRAP_SERVERS"], "MONGODB_URL": env["MONGODB_URL"],
        "FERRETDB_POSTGRESQL_URL": env.get("FERRETDB_POSTGRESQL_URL", ""),
        "MONGODB_DATABASE": f"{prefix}_notifications", "TOPIC_PREFIX": f"{prefix}.", "HTTP_PORT": str(http_port),
        "DELIVERY_MODE": "adapters", "SMTP_PORT": str(smtp_port), "SMS_GATEWAY_URL": f"http://127.0.0.1:{sms_port}",
        "QUIET_START_HOUR": "24", "QUIET_END_HOUR": "0", "CHANGE_DEBOUNCE_S": "0", "SEND_BACKOFF_S": "1",
        "TIMER_INTERVAL_S": "0.2", "EMAIL_PER_SECOND": "100000", "SMS_PER_SECOND": "100000",
        "LOG_LEVEL": "warning", "LOG_JSON": "true",
    }


async def _wait(check, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := await check():
            return result
        await asyncio.sleep(every)
    raise TimeoutError(what)


def _session(sid: str, version: int, starts: datetime, cls) -> ev.SessionState:
    return cls(session_id=sid, version=version, edition_id="ed-fanout", initiative_id="i-fanout", source="urn:malmo:source:bench",
               title={"sv": "Utspridning", "en": "Fan-out"}, organizer={"kind": "other", "name": "Benchmark"}, themes=["democracy"],
               languages=["sv"], starts_at=starts, ends_at=starts + timedelta(hours=1), online_url="https://example.org/meet",
               capacity=1_000_000, registration_required=True, status="published" if cls is ev.SessionPublishedV1 else "rescheduled")


def _cpu(*processes: subprocess.Popen) -> dict[str, float]:
    """CPU seconds so far of the engines and the workload's own processes."""
    own = {name: cpu_use.process_seconds(p.pid) or 0.0 for name, p in zip(("notifications", "devservers"), processes, strict=True)}
    return {k: v for k, v in cpu_use.snapshot().items() if k in ("kafka", "ferretdb", "postgres")} | own


def _first(state: dict):
    return lambda current, _v: Decision(state) if current is None else None


async def _bulk_registrants(db, sid: str, n: int, bar) -> None:
    """Benchmark-only: N confirmed registrations and contacts in the consumers' own documents."""
    registrations, contacts = AggregateStore(db["registrations"], lift=registration_fields), AggregateStore(db["contacts"], lift=contact_fields)
    now = datetime.now(UTC)
    for start in range(0, n, 2_000):
        regs, cons = {}, {}
        for i in range(start, min(n, start + 2_000)):
            rid = f"fan-{i:06d}"
            sms = i % SMS_SHARE == 0
            reg = ev.RegistrationConfirmedV1(registration_id=rid, version=1, session_id=sid, edition_id="ed-fanout", status="confirmed", party_size=1,
                                             language="sv", channel="sms" if sms else "email", registered_at=now)
            con = ev.RegistrationContactRecordedV1(registration_id=rid, session_id=sid, name=f"Person {i}", language="sv",
                                                   **({"phone": f"+467{i:08d}"} if sms else {"email": f"{rid}@example.org"}))
            regs[rid] = _first(reg.model_dump(mode="json"))
            cons[rid] = _first(con.model_dump(mode="json", exclude_none=True))
        await registrations.change(regs, new=True)
        await contacts.change(cons, new=True)
        bar.update(len(regs))


async def run(ctx, size: str) -> Result:
    # BENCH_FANOUT_N: another N (the harness's own test proves the path with a few dozen)
    n = int(os.environ.get("BENCH_FANOUT_N") or SIZES[size])
    budget_s = float(os.environ.get("BENCH_FANOUT_BUDGET_S") or BUDGET_S)
    prefix = f"fan{uuid.uuid4().hex[:6]}"
    http_port, smtp_port, sms_port = free_port(), free_port(), free_port()
    env = _settings(prefix, http_port, smtp_port, sms_port, ctx.env)
    (logs := ctx.out_dir / "fanout-logs").mkdir(parents=True, exist_ok=True)
    dev = subprocess.Popen([sys.executable, "-m", "services.notifications.devservers", "--smtp-port", str(smtp_port), "--sms-port", str(sms_port)],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=open(logs / "devservers.log", "ab"), text=True)
    svc = subprocess.Popen([sys.executable, "-m", "services.notifications"], cwd=ROOT, env=env, stdout=open(logs / "notifications.log", "ab"), stderr=subprocess.STDOUT)
    mongo = AsyncMongoClient(ctx.env["MONGODB_URL"], tz_aware=True)
    db = mongo[env["MONGODB_DATABASE"]]
    producer = AIOKafkaProducer(bootstrap_servers=ctx.bootstrap, acks="all", **client_options())
    await producer.start()
    try:
        assert "devservers ready" in await asyncio.to_thread(dev.stdout.readline)
        async with httpx.AsyncClient(timeout=30) as http:
            async def ready():
                try:
                    return (await http.get(f"http://127.0.0.1:{http_port}/readyz")).status_code == 200
                except httpx.TransportError:
                    return False

            await _wait(ready, 90, "the private notifications process")
            sid = "s-fanout"
            starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)

            async def publish(data):
                await producer.send_and_wait(f"{prefix}.scheduling.sessions.v1", new_event(data, source=SCHED, subject=sid).to_bytes(), key=sid.encode())

            await publish(_session(sid, 1, starts, ev.SessionPublishedV1))
            await _wait(lambda: db["sessions"].find_one({"_id": sid}), 60, "the session copy")
            t0 = time.monotonic()
            with ctx.bar(n, "fan-out: registrants (bulk)") as bar:
                await _bulk_registrants(db, sid, n, bar)
            setup_s = time.monotonic() - t0
            await http.delete(f"http://127.0.0.1:{sms_port}/_received")

            cpu_before = _cpu(svc, dev)
            t0 = time.monotonic()
            await publish(_session(sid, 2, starts + timedelta(hours=2), ev.SessionRescheduledV1))
            with ctx.bar(n, "fan-out: handed over") as bar:
                timeline = await _until_handed_over(http, f"http://127.0.0.1:{sms_port}/_received", n, t0, budget_s, bar)
            elapsed = time.monotonic() - t0
            cpu_fan_out = cpu_use.used(cpu_before, _cpu(svc, dev))
            received = (await http.get(f"http://127.0.0.1:{sms_port}/_received")).json()
            return _result(ctx, size, n, elapsed, received, setup_s, timeline, cpu_fan_out, (svc, dev), budget_s)
    finally:
        await producer.stop()
        for p in (svc, dev):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    await asyncio.to_thread(p.wait, 60)
                except subprocess.TimeoutExpired:
                    p.kill()
        await mongo.drop_database(env["MONGODB_DATABASE"])
        await mongo.close()
        await delete_prefixed_topics(ctx.bootstrap, f"{prefix}.")


async def _until_handed_over(http, received_url: str, n: int, t0: float, budget_s: float, bar) -> list[tuple[float, int]]:
    """Polls the test servers' counts every 0.5 s until all ``n`` are handed over, 60 s pass without
    progress or the budget is spent; returns (seconds since ``t0``, handed over) at each poll."""
    timeline, last_progress, last_total = [], time.monotonic(), 0
    while True:
        await asyncio.sleep(0.5)
        # the counts only while it runs: copying every reception each time would load the machine measured
        counts = (await http.get(received_url, params={"counts": 1})).json()
        total = counts["email_count"] + counts["sms_requests"]
        bar.update(total - bar.n)
        timeline.append((round(time.monotonic() - t0, 1), total))
        if total > last_total:
            last_total, last_progress = total, time.monotonic()
        if total >= n or time.monotonic() - last_progress > 60 or time.monotonic() - t0 > budget_s:
            return timeline


def _result(ctx, size: str, n: int, elapsed: float, received: dict, setup_s: float, timeline: list,
            cpu_fan_out: dict, private: tuple, budget_s: float) -> Result:
    """The row: seconds for all ``n`` (or extrapolated from the budget), duplicates, where the CPU went."""
    svc, dev = private
    name = f"fan-out: one change to {n:,} registrants"
    emails, sms = received["emails"], received["sms"]
    ids = [e["message_id"] for e in emails] + [s["client_ref"] for s in sms]
    details = {
        "registrants": n, "emails": len(emails), "sms_requests": len(sms), "distinct_message_ids": len(set(ids)),
        "duplicates": len(ids) - len(set(ids)), "messages_per_s": round(len(set(ids)) / elapsed, 1),
        "bulk_setup_s": round(setup_s, 1), "timeline_s_vs_handed_over": timeline[:: max(1, len(timeline) // 20)],
        "setup": "registrations and contacts bulk-written to the consumers' own stores (benchmark only); change and delivery on the service's real path",
        # the private processes are not among the platform's pid files (cpu_s): their own CPU, start to here
        # each process's CPU over the fan-out alone, per message handed over (where the cores went)
        "cpu_ms_per_message": {k: round(1000 * v / max(len(set(ids)), 1), 3) for k, v in cpu_fan_out.items() if v},
        "private_cpu_s": {"notifications": cpu_use.process_seconds(svc.pid), "devservers": cpu_use.process_seconds(dev.pid)},
    }
    floor_rate = ctx.ceilings.get("db_message_writes_per_s")
    if floor_rate:
        # the engine's least time for N messages: the writes the storage rules ask of their pages
        # (a page of 500 created, then its outcomes), raw, nothing else
        # (message_writes.py)
        details["engine_floor_messages_per_s"] = round(floor_rate, 1)
    complete = len(set(ids)) >= n
    figure = elapsed
    if not complete and elapsed > budget_s:
        # Out of time, not stalled: the figure is N at the measured rate.
        figure = n / max(details["messages_per_s"], 0.001)
        details["budget_s"] = budget_s
        details["handed_over_in_budget"] = len(set(ids))
        details["extrapolated_s"] = round(figure, 0)
    elif not complete:
        details["stalled"] = "no progress for 60 s before all were handed over"
    if size != "full":
        details["extrapolated_to_100000_s"] = round(100_000 / max(details["messages_per_s"], 0.001), 0)
    ran = complete or "extrapolated_s" in details
    if "extrapolated_s" in details:
        name = f"{name} ({details['handed_over_in_budget']:,} in {budget_s:.0f} s, extrapolated)"
    floor_s = n / floor_rate if floor_rate else None
    return Result(name, round(figure, 2), "s", ceiling=floor_s and round(floor_s, 1), ceiling_name=f"{n:,} messages' page writes alone (raw, {floor_rate or 0:,.0f}/s)",
                  ratio=round(floor_s / figure, 3) if floor_s and figure else None,
                  goal=f"< {GOAL_S:.0f} s (at 100,000)", passed=(complete and elapsed < GOAL_S) if size == "full" else None,
                  details=details, status="run" if ran else "failed")
