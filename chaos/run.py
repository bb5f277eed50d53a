"""One chaos run, start to verdict: ``python -m chaos [--size full|reduced] [--seed N] [--replicas N]``.

1. fresh engines on their own ports, the four services, the local SMTP and SMS test servers;
2. publishers, a programme of sessions with limited seats (before any fault);
3. the faults (``faults.py``) while submissions stream in, residents register and sessions move;
4. the platform is left to catch up, then every promise is counted (``checks.py``);
5. logs and open topics are scanned for residents' details; some residents ask for erasure,
   every database is scanned for them and their session moves again: they hear nothing more.
Prints the counts, writes them as JSON under .cache/chaos/results/, exits 1 on any loss or
duplicate. ``--replicas 2``: two processes of each service behind the local proxy, one replica of
each killed again and again while the other serves; the public's requests answered without a 5xx
are counted (``availability.py``) and must reach its goal.
"""

import argparse
import asyncio
import json
import logging
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import httpx
from pymongo import AsyncMongoClient

from chaos import availability, checks, drive, engines, faults, privacy, processes, workload
from chaos.checks import Check
from chaos.sizes import SIZES, Size
from services.notifications.devservers import SmsGateway, SmtpSink

SMTP_PORT, SMS_PORT = 28025, 28190
RESULTS = engines.HOME / "results"


def say(text: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {text}", flush=True)


def notification_settings() -> dict[str, str]:
    """Prompt delivery for a run of minutes: no quiet hours, a short debounce, quick retries."""
    return {
        "DELIVERY_MODE": "adapters", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(SMTP_PORT),
        "SMS_GATEWAY_URL": f"http://127.0.0.1:{SMS_PORT}", "QUIET_START_HOUR": "24", "QUIET_END_HOUR": "0",
        "CHANGE_DEBOUNCE_S": "3", "SEND_BACKOFF_S": "0.5", "SEND_BACKOFF_MAX_S": "5", "SEND_MAX_ATTEMPTS": "20",
        "TIMER_INTERVAL_S": "0.5", "EMAIL_PER_SECOND": "200", "SMS_PER_SECOND": "200",
        "PUBLIC_BASE_URL": processes.url("notifications"),
    }


async def until(what: str, probe, timeout_s: float, every_s: float = 5.0):
    """Probe until its checks all pass or the time is up; returns the last checks."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = await probe()
        bad = [c for c in result if not c.ok]
        if not bad or time.monotonic() > deadline:
            if bad:
                say(f"{what}: still failing after {timeout_s:.0f} s: " + "; ".join(f"{c.name} lost {c.lost} dup {c.duplicated}" for c in bad))
            return result
        await asyncio.sleep(every_s)


def table(rows: list[Check]) -> str:
    head = f"{'check':58} {'expected':>9} {'found':>9} {'lost':>6} {'dup':>6}  verdict"
    lines = [head, "-" * len(head)]
    for c in rows:
        lines.append(f"{c.name[:58]:58} {c.expected:>9} {c.found:>9} {c.lost:>6} {c.duplicated:>6}  {'ok' if c.ok else 'FAIL'}")
        lines += [f"    · {e}" for e in c.examples[:5]]
    return "\n".join(lines)


@dataclass
class Rig:
    """The platform under test, as the run reaches it: the engines' endpoints, the staff keys, the
    four services, the mail and SMS test servers, and the run's HTTP and Kafka clients."""

    endpoints: dict[str, str]
    keys: dict[str, str]
    services: processes.Services
    sink: SmtpSink
    gateway: SmsGateway
    http: httpx.AsyncClient
    producer: drive.Producer
    tally: availability.Tally


async def run(size: Size, seed: int, replicas: int = 1) -> int:
    started = time.monotonic()
    say(f"size {size.name}, seed {seed}: engines in {engines.INFRA_DIR}")
    shutil.rmtree(processes.LOGS, ignore_errors=True)  # the privacy scan reads this run's logs only
    endpoints = await asyncio.to_thread(engines.fresh)
    # The run's own clients sign in to its broker as the services do (shared/kafka/security.py).
    os.environ.update({k: v for k, v in endpoints.items() if k.startswith("KAFKA_")})
    sink = SmtpSink(port=SMTP_PORT).start()
    gateway = SmsGateway(port=SMS_PORT, webhook_url=f"{processes.url('notifications')}/v1/sms/receipts")
    keys = processes.staff_keys()
    services = processes.Services(endpoints, keys, extra={"notifications": notification_settings()}, replicas=replicas)
    run_id = f"chaos{int(time.time())}"
    stream = workload.submission_stream(seed, size.sources, size.submissions)
    residents = workload.residents(seed, size.residents, size.sessions)
    report: dict = {"size": asdict(size), "seed": seed, "replicas": replicas, "started": datetime.now(UTC).isoformat(), "stream": stream.counts}
    injected = faults.Injected()
    background: list[asyncio.Task] = []  # the faults and the supervisor: cancelled before the services stop
    try:
        tally = availability.Tally()
        async with gateway.running(), httpx.AsyncClient(timeout=15, transport=availability.Counted(tally)) as http:
            await asyncio.to_thread(services.start_all)
            rig = Rig(endpoints, keys, services, sink, gateway, http, drive.Producer(endpoints["KAFKA_BOOTSTRAP_SERVERS"]), tally)
            programme = await _set_up(rig, size, started)
            answers, changed = await _under_faults(rig, size, seed, run_id, stream, residents, programme, injected, background)
            all_checks = await _counted(rig, size, stream, programme, answers, changed, report)
            report["availability"] = rig.tally.figures(injected.away.get("database", []), injected)
            if replicas > 1:
                all_checks.append(availability.check(report["availability"]))
            await rig.producer.stop()
    finally:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        await asyncio.to_thread(services.stop_all)
        sink.stop()
        await asyncio.to_thread(engines.down)
    return _verdict(size, injected, stream, residents, all_checks, report, started, replicas)


async def _set_up(rig: Rig, size: Size, started: float) -> drive.Programme:
    """Publishers and the programme, before any fault."""
    await drive.register_sources(rig.http, rig.keys, size.sources)
    programme = await drive.programme(rig.http, rig.producer, rig.keys, size.sessions, size.seats)
    say(f"set up in {time.monotonic() - started:.0f} s: {size.sources} sources, {len(programme.sessions)} sessions of {size.seats} seats")
    return programme


async def _under_faults(rig: Rig, size: Size, seed: int, run_id: str, stream, residents, programme: drive.Programme,
                        injected: faults.Injected, background: list[asyncio.Task]) -> tuple[list[drive.Answer], list[str]]:
    """The faults while submissions stream in, residents register and sessions move; returns the
    registrations' answers and the sessions moved, once every service runs and is ready again."""
    plan = faults.plan(seed, size.fault_window_s, size.kills_per_service, rig.services.replicas)
    stop_keepalive = asyncio.Event()
    keepalive = asyncio.create_task(faults.keep_alive(rig.services, stop_keepalive))
    fault_task = asyncio.create_task(faults.inject(plan, rig.services, injected))
    readers = asyncio.create_task(availability.read_programme(rig.http, drive.EDITION, programme.sessions, stop_keepalive))
    background += [keepalive, fault_task, readers]
    rig.tally.counting = True
    t_faults = time.monotonic()
    streaming = asyncio.create_task(drive.stream(rig.producer, stream.messages, 0.8 * size.fault_window_s))
    answers = await drive.register(rig.http, run_id, residents, programme, concurrency=16, seconds=0.4 * size.fault_window_s)
    say(f"{len(answers)} registrations answered after {time.monotonic() - t_faults:.0f} s of faults")
    # The change is made once notifications has heard of every registration, so who is
    # told of it does not depend on how far behind a restarted consumer happens to be.
    answered = checks.expected_messages(answers, set())
    await until("registration messages", lambda: _delivered(answered, rig.sink, rig.gateway), min(900, size.settle_timeout_s), 2)
    changed = programme.sessions[: size.rescheduled]
    await drive.reschedule(rig.http, rig.keys, programme, changed)
    say(f"{len(changed)} sessions moved at {time.monotonic() - t_faults:.0f} s")
    await streaming
    await fault_task
    rig.tally.counting = False
    stop_keepalive.set()
    await keepalive
    await readers
    say(f"faults over after {time.monotonic() - t_faults:.0f} s: {injected.total} injected; the platform catches up")
    await asyncio.to_thread(rig.services.restart_dead)
    await asyncio.to_thread(rig.services.wait_ready, list(processes.PORTS))
    return answers, changed


async def _counted(rig: Rig, size: Size, stream, programme: drive.Programme, answers: list[drive.Answer],
                   changed: list[str], report: dict) -> list[Check]:
    """Every promise counted once the platform has caught up, then the privacy scans and erasure."""
    bootstrap, mongodb = rig.endpoints["KAFKA_BOOTSTRAP_SERVERS"], rig.endpoints["MONGODB_URL"]
    mongo = AsyncMongoClient(mongodb)
    want = checks.expected_messages(answers, set(changed))

    async def converged() -> list[Check]:
        reg = await checks.registry(mongo["registry"], stream.expected, size.sessions)
        return [reg, await checks.reporting(rig.http, rig.keys, reg), checks.notifications(want, rig.sink, rig.gateway)]

    t_settle = time.monotonic()
    all_checks = await until("catching up", converged, size.settle_timeout_s, 10)
    report["settle_s"] = round(time.monotonic() - t_settle, 1)
    all_checks += await checks.registrations(rig.http, rig.keys, programme, answers)
    all_checks.append(await checks.dead_letters(bootstrap, stream.invalid_ids))
    all_checks += await _privacy(bootstrap, report)
    all_checks += await erasure(rig.http, rig.keys, mongodb, programme, answers, want, rig.sink, rig.gateway, size, report)
    await mongo.close()
    return all_checks


async def _privacy(bootstrap: str, report: dict) -> list[Check]:
    """Residents' details in the logs and on the open topics."""
    logs = privacy.scan_logs(processes.log_files() + engines.log_files())
    topics, restricted = await privacy.scan_topics(bootstrap)
    report["privacy"] = {"logs": logs, "topics": topics, "restricted_topics_not_scanned": restricted}
    return [Check("privacy: residents' details in logs", 0, privacy.summary(logs), duplicated=privacy.summary(logs)),
            Check("privacy: residents' details on open topics", 0, privacy.summary(topics), duplicated=privacy.summary(topics))]


def _verdict(size: Size, injected: faults.Injected, stream, residents: list, all_checks: list[Check], report: dict, started: float,
             replicas: int = 1) -> int:
    """The report written under RESULTS and printed; 0 only when nothing was lost or duplicated and
    every planned fault was injected."""
    report["faults"] = {"kills": injected.kills, "kafka_restarts": injected.kafka_restarts, "database_restarts": injected.database_restarts,
                        "engine_downtime_s": injected.engine_downtime_s, "total": injected.total}
    report["checks"] = [{**asdict(c), "ok": c.ok} for c in all_checks]
    report["seconds"] = round(time.monotonic() - started, 1)
    lost, duplicated = sum(c.lost for c in all_checks), sum(c.duplicated for c in all_checks)
    enough = all(n >= size.kills_per_service * replicas for n in injected.kills.values()) and injected.kafka_restarts and injected.database_restarts
    passed = all(c.ok for c in all_checks) and bool(enough)
    report["passed"] = passed
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{size.name}{f'-{replicas}replicas' if replicas > 1 else ''}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print()
    print(f"faults injected: {injected.total} — SIGKILL {injected.kills}, Kafka restarted {injected.kafka_restarts}, "
          f"database restarted {injected.database_restarts} (down {injected.engine_downtime_s} s)")
    print(f"events: {len(stream.messages)} submissions on the topic {stream.counts}, {len(residents)} registrations, "
          f"{size.rescheduled} sessions moved; caught up in {report.get('settle_s')} s; run took {report['seconds']:.0f} s")
    print(table(all_checks))
    shares = report.get("availability", {})
    print(f"public requests answered without a 5xx during the faults: {shares.get('overall')}; outside the database's outage: "
          f"{shares.get('outside_database_outage')}; by kind {shares.get('by_kind')}")
    print(f"\nlost {lost}, duplicated {duplicated} → {'PASS' if passed else 'FAIL'}   (details: {path})")
    if not enough:
        print("FAIL: fewer faults were injected than planned", file=sys.stderr)
    return 0 if passed else 1


async def _delivered(want: dict[str, int], sink, gateway) -> list[Check]:
    per_address, _, _ = checks.received(sink, gateway)
    missing = sum(1 for a in want if per_address[a] < 1)
    return [Check("registration messages", len(want), len(want) - missing, lost=missing)]


async def erasure(http, keys, mongodb, programme, answers, want, sink, gateway, size: Size, report: dict) -> list[Check]:
    """Some residents of one session ask to be erased; then their session moves: the others hear
    of it, they do not, and no database holds anything of them."""
    session_id = programme.sessions[-1]
    of_session = [a for a in answers if a.session_id == session_id and a.status_code in (200, 201)]
    erased = of_session[: size.erased]
    for a in erased:
        field, value = ("email", a.resident.email) if a.resident.email else ("phone", a.resident.phone)
        r = await drive.call(http, "POST", f"{processes.url('scheduling')}/v1/contacts/erase", json={field: value}, headers=drive.bearer(keys["scheduler"]))
        if r.status_code != 200:
            raise RuntimeError(f"scheduling erasure: {r.status_code} {r.text}")
    await asyncio.sleep(5)  # the tombstones reach notifications; its own erasure covers any still on the way
    for a in erased:
        field, value = ("email", a.resident.email) if a.resident.email else ("phone", a.resident.phone)
        r = await drive.call(http, "POST", f"{processes.url('notifications')}/v1/erasure", json={field: value}, headers=drive.bearer(keys["curator"]))
        if r.status_code != 200:
            raise RuntimeError(f"notifications erasure: {r.status_code} {r.text}")
    tokens = [t for a in erased for t in workload.tokens_of(a.resident)]
    found = await privacy.scan_databases(mongodb, tokens)
    report["erasure"] = {"residents": len(erased), "found_in_databases": found}
    db_check = Check("erasure: erased residents in any database", 0, privacy.summary(found), duplicated=privacy.summary(found))
    await drive.reschedule(http, keys, programme, [session_id])
    gone = {a.resident.address for a in erased}
    after = dict(want)
    for a in of_session:
        if a.resident.address not in gone:
            after[a.resident.address] += 1
    stopped = await until("after erasure", lambda: _as_list(checks.notifications(after, sink, gateway, "erasure: the others told of the move, the erased nothing more")), 120, 3)
    return [db_check, *stopped]


async def _as_list(check: Check) -> list[Check]:
    return [check]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("CHAOS_SEED", "2026")))
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("CHAOS_REPLICAS", "1")),
                        help="processes of each service, behind the local proxy when more than one")
    args = parser.parse_args(argv)
    # The run's own Kafka clients complain loudly while the broker is down on purpose.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    return asyncio.run(run(SIZES[args.size], args.seed, max(1, args.replicas)))
