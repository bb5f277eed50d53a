"""The rebuild's own parts on many events: replay + write, then the comparison, with the raw
aiokafka consume ceiling measured in the same run.

The ``rebuild`` workload replays whatever the platform's topics hold (10,000 events or so after
the other workloads); this fills a run's own topics with ``--events`` upstream events (editions,
initiatives with reviews, sessions, registrations, deliveries, re-deliveries, and a few malformed
messages the live service dead-letters), then times ``rebuild()`` and ``everything()`` as
``POST /v1/rebuild`` calls them. ``--figures FILE`` writes the rebuilt figures, so two versions
of the code can be compared on the same topics (``--prefix`` reuses them).

    python -m benchmarks.rebuild_replay --events 100000 [--prefix P] [--figures out.json]
"""

import argparse
import asyncio
import copy
import json
import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer

from benchmarks.ceilings import aiokafka_rates, drop_topic, make_topic
from services.reporting.domain.comparison import compare, differences, figures
from services.reporting.domain.model import KINDS, ReadModel
from services.reporting.settings import ReportingSettings
from services.reporting.usecases.rebuild import drop, rebuild
from shared.kafka.security import client_options
from shared.topics import NOTIFICATIONS_DELIVERIES, REGISTRY_INITIATIVES, SCHEDULING_REGISTRATIONS, SCHEDULING_SESSIONS

THEMES = ["democracy", "inclusion", "culture", "sport", "environment", "participation"]
DISTRICTS = ["rosengard", "fosie", "hyllie", "centrum", "kirseberg", "limhamn"]
LANGUAGES = ["sv", "en", "ar", "fa", "so"]
T0 = datetime(2020, 3, 1, 9, 0, tzinfo=UTC)
YEARS = range(2020, 2026)
SCHEDULING, REGISTRY = "urn:malmo:oppna:scheduling", "urn:malmo:oppna:registry"


def _envelope(source: str, type_: str, subject: str, data: dict, when: datetime) -> bytes:
    return json.dumps({"specversion": "1.0", "id": str(uuid.uuid4()), "source": source, "type": f"se.malmo.oppna.{type_}.v1",
                       "subject": subject, "time": when.isoformat(), "datacontenttype": "application/json", "data": data},
                      ensure_ascii=False, separators=(",", ":")).encode()  # as Envelope.to_bytes writes: UTF-8, compact


def events(n: int, seed: int = 7) -> dict[str, list[tuple[str, bytes]]]:
    """About ``n`` upstream events by catalogue topic, as (key, value)."""
    rnd = random.Random(seed)
    out: dict[str, list[tuple[str, bytes]]] = {t.name: [] for t in (REGISTRY_INITIATIVES, SCHEDULING_SESSIONS, SCHEDULING_REGISTRATIONS, NOTIFICATIONS_DELIVERIES)}
    initiatives, sessions, registrations = n // 20, n // 20, n // 5
    out[SCHEDULING_SESSIONS.name] += _editions()
    out[REGISTRY_INITIATIVES.name] += _initiatives(rnd, initiatives)
    out[SCHEDULING_SESSIONS.name] += _sessions(rnd, sessions, initiatives)
    out[SCHEDULING_REGISTRATIONS.name] += _registrations(rnd, registrations, sessions)
    out[NOTIFICATIONS_DELIVERIES.name] += _deliveries(rnd, n - sum(len(v) for v in out.values()))
    # What the live service dead-letters or skips: the replay must count none of it.
    out[SCHEDULING_REGISTRATIONS.name] += [("bad", b) for b in _malformed()]
    for values in out.values():
        # Re-deliveries of the same events, as at-least-once publication gives.
        values += rnd.sample(values, len(values) // 50)
    return out


def _editions() -> list[tuple[str, bytes]]:
    """Each year's edition planned, then its programme published, then closed."""
    out = []
    for v, y in enumerate(YEARS):
        for version, status in ((1, "planning"), (2, "programme_published"), (3, "closed")):
            data = {"edition_id": f"om-{y}", "version": version, "name": {"sv": f"Öppna Malmö {y}"}, "year": y,
                    "starts_on": f"{y}-10-06", "ends_on": f"{y}-10-19", "budget_sek": 3_000_000 + v, "status": status}
            out.append((data["edition_id"], _envelope(SCHEDULING, f"edition.{'updated' if version > 1 else 'planned'}", data["edition_id"], data, T0)))
    return out


def _initiatives(rnd: random.Random, count: int) -> list[tuple[str, bytes]]:
    """Each initiative registered, taken into review and decided: three events."""
    out = []
    for i in range(count):
        y = rnd.choice(YEARS)
        received = datetime(y, 4, 1, tzinfo=UTC) + timedelta(hours=rnd.randrange(2000))
        kind = rnd.choice(["administration", "civil_society", "business"])
        state = {"initiative_id": f"ini-{i}", "source": f"urn:malmo:source:org{i % 40}", "external_id": f"X-{i}", "revision": 1,
                 "content": {"title": {"sv": f"Initiativ {i}"}, "summary": {"sv": "Sammanfattning."},
                             "organizer": {"kind": kind, "name": f"Organisation {i % 60}"},
                             "themes": rnd.sample(THEMES, rnd.randint(1, 3)), "origin": rnd.choice(["new", "existing"]),
                             "districts": rnd.sample(DISTRICTS, rnd.randint(1, 2)), "languages": rnd.sample(LANGUAGES, rnd.randint(1, 3)),
                             "target_groups": ["youth"] if i % 2 else ["seniors", "families"],
                             "period": {"start": f"{y}-10-0{rnd.randint(1, 9)}", "end": f"{y}-10-{rnd.randint(10, 25)}"} if i % 4 else None,
                             "budget": {"requested_sek": rnd.randrange(5_000, 90_000), "own_funding_sek": rnd.randrange(0, 5_000)}},
                 "received_at": received.isoformat()}
        decision = rnd.choice(["approved", "approved", "rejected", "changes_requested"])
        steps = [("registered", 1, "submitted", None), ("review_started", 2, "in_review", None),
                 (decision, 3, {"changes_requested": "changes_requested"}.get(decision, decision),
                  {"decision": decision, "comment": None, "decided_at": (received + timedelta(days=rnd.randint(1, 30))).isoformat(), "curator": "c"})]
        for kind_, version, status, review in steps:
            data = {**state, "version": version, "status": status, "stamped": status == "approved", "updated_at": received.isoformat(),
                    **({"review": review} if review else {})}
            out.append((data["initiative_id"], _envelope(REGISTRY, f"initiative.{kind_}", data["initiative_id"], data, received)))
    return out


def _sessions(rnd: random.Random, count: int, initiatives: int) -> list[tuple[str, bytes]]:
    """Each session scheduled, published, then updated (or, one in eleven, cancelled)."""
    out = []
    for s in range(count):
        y = rnd.choice(YEARS)
        starts = datetime(y, 10, rnd.randint(6, 19), 17, tzinfo=UTC)
        base = {"session_id": f"ses-{s}", "edition_id": f"om-{y}", "initiative_id": f"ini-{rnd.randrange(initiatives)}",
                "source": f"urn:malmo:source:org{s % 40}", "title": {"sv": f"Aktivitet {s}"},
                "organizer": {"kind": rnd.choice(["administration", "civil_society"]), "name": f"Organisation {s % 60}"},
                "themes": rnd.sample(THEMES, rnd.randint(1, 2)), "districts": rnd.sample(DISTRICTS, 1), "languages": rnd.sample(LANGUAGES, rnd.randint(1, 2)),
                "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(), "capacity": rnd.randrange(10, 80),
                "registration_required": bool(s % 3)}
        for version, (kind_, status) in enumerate([("scheduled", "scheduled"), ("published", "published"),
                                                   ("cancelled", "cancelled") if s % 11 == 0 else ("updated", "published")], 1):
            data = {**base, "version": version, "status": status}
            out.append((data["session_id"], _envelope(SCHEDULING, f"session.{kind_}", data["session_id"], data, starts)))
    return out


def _registrations(rnd: random.Random, count: int, sessions: int) -> list[tuple[str, bytes]]:
    """Each registration confirmed; every other one checked in afterwards."""
    out = []
    for r in range(count):
        s = rnd.randrange(sessions)
        y = 2020 + s % 6
        base = {"registration_id": f"reg-{r}", "session_id": f"ses-{s}", "edition_id": f"om-{y}", "party_size": rnd.randint(1, 4),
                "language": rnd.choice(LANGUAGES), "channel": rnd.choice(["email", "sms"]), "registered_at": f"{y}-09-01T10:00:00+02:00"}
        out.append((base["registration_id"], _envelope(SCHEDULING, "registration.confirmed", base["registration_id"], {**base, "version": 1, "status": "confirmed"}, T0)))
        if r % 2:
            data = {**base, "version": 2, "status": "confirmed", "attended": bool(r % 3)}
            out.append((base["registration_id"], _envelope(SCHEDULING, "registration.checked_in", base["registration_id"], data, T0)))
    return out


def _deliveries(rnd: random.Random, count: int) -> list[tuple[str, bytes]]:
    """``count`` delivery outcomes counted, two per message; one in fifty failed or expired."""
    out = []
    outcomes = ["sent", "delivered", "failed", "expired"]
    for d in range(max(0, count)):
        data = {"message_id": f"msg-{d // 2}", "channel": rnd.choice(["email", "sms"]), "language": rnd.choice(LANGUAGES),
                "category": "reminder", "outcome": outcomes[d % 2 if d % 50 else 2 + d % 2], "edition_id": f"om-{2020 + d % 6}",
                "at": "2025-10-01T10:00:00+00:00"}
        out.append((data["message_id"], _envelope("urn:malmo:oppna:notifications", "notification.delivery_counted", data["message_id"], data, T0)))
    return out


def _malformed() -> list[bytes]:
    """Not JSON, not an object, not a whole envelope, registrations with fields missing or invalid, an unknown event type."""
    return [b"not json", b"[1, 2]", b'{"specversion": "1.0"}',
            _envelope(SCHEDULING, "registration.confirmed", "reg-0", {"registration_id": "reg-0", "version": 99}, T0),
            _envelope(SCHEDULING, "registration.confirmed", "reg-1", {"registration_id": "reg-1", "version": 99, "session_id": "ses-1", "edition_id": "om-2021",
                                                                     "status": "confirmed", "party_size": 0, "language": "sv", "channel": "email", "registered_at": "2021-09-01T10:00:00Z"}, T0),
            _envelope(SCHEDULING, "session.teleported", "ses-0", {"session_id": "ses-0"}, T0)]


async def fill(settings: ReportingSettings, n: int) -> int:
    produced = events(n)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all", linger_ms=20, max_batch_size=256 * 1024, **client_options(settings))
    await producer.start()
    try:
        for name, values in produced.items():
            await make_topic(settings.kafka_bootstrap_servers, settings.topic(name))
            futures = [await producer.send(settings.topic(name), v, key=k.encode()) for k, v in values]
            await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return sum(len(v) for v in produced.values())


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--prefix", help="reuse the topics of an earlier run (its prefix)")
    parser.add_argument("--figures", help="write the rebuilt figures here (JSON)")
    parser.add_argument("--keep-topics", action="store_true")
    parser.add_argument("--write", action="store_true", help="also time the write of ?keep=true (a second replay)")
    args = parser.parse_args()
    prefix = args.prefix or f"bench-rebuild-{uuid.uuid4().hex[:6]}."
    settings = ReportingSettings(topic_prefix=prefix, kafka_bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"],
                                 mongodb_url=os.environ["MONGODB_URL"], ferretdb_postgresql_url=os.environ.get("FERRETDB_POSTGRESQL_URL"))
    if not args.prefix:
        print(f"prefix {prefix}: {await fill(settings, args.events):,} messages")
    ceiling_topic = f"bench.ceiling.aio.{uuid.uuid4().hex[:6]}"
    await make_topic(settings.kafka_bootstrap_servers, ceiling_topic)
    try:
        ceiling = (await aiokafka_rates(settings.kafka_bootstrap_servers, ceiling_topic, 50_000))["aiokafka_consume_per_s"]
    finally:
        await drop_topic(settings.kafka_bootstrap_servers, ceiling_topic)
    started = time.perf_counter()
    rebuilt = await rebuild(settings, keep=False)  # as POST /v1/rebuild without keep
    replayed = time.perf_counter() - started
    # As POST /v1/rebuild compares (equal models: no figures needed) ...
    started = time.perf_counter()
    again = ReadModel(**{k: copy.deepcopy(getattr(rebuilt.model, k)) for k in KINDS})  # an equal model, other objects
    copied = time.perf_counter() - started
    started = time.perf_counter()
    diff = compare(again, rebuilt.model, settings.suppression_threshold)
    compared = time.perf_counter() - started
    # ... and the figures of both, as it compares models that differ.
    started = time.perf_counter()
    a = figures(rebuilt.model, settings.suppression_threshold)
    diff_figures = differences(a, figures(again, settings.suppression_threshold))
    figured = time.perf_counter() - started
    write_s = None
    if args.write:  # ?keep=true: the replay again, and its write
        started = time.perf_counter()
        kept = await rebuild(settings, keep=True)
        write_s = round(time.perf_counter() - started - replayed, 2)
        await drop(settings, kept.database)
    messages = rebuilt.events + rebuilt.skipped
    total = replayed + compared
    print(json.dumps({"messages": messages, "events": rebuilt.events, "skipped": rebuilt.skipped, "counts": rebuilt.model.counts(),
                      "replay_s": round(replayed, 2), "replay_per_s": round(messages / replayed), "compare_models_s": round(compared, 3),
                      "compare_figures_s": round(figured, 2), "(copy_s)": round(copied, 2), "keep_write_s_about": write_s,
                      "end_to_end_per_s": round(messages / total), "s_per_1M_extrapolated": round(1_000_000 * total / messages, 1),
                      "s_per_1M_if_models_differ": round(1_000_000 * (replayed + figured) / messages, 1),
                      "ceiling_aiokafka_consume_per_s": round(ceiling), "ceiling_s_per_1M": round(1_000_000 / ceiling, 1),
                      "self_equal": not diff and not diff_figures}, indent=1))
    if args.figures:
        with open(args.figures, "w") as f:
            json.dump(a, f, sort_keys=True)
    if not args.keep_topics and not args.prefix:
        for name in (REGISTRY_INITIATIVES, SCHEDULING_SESSIONS, SCHEDULING_REGISTRATIONS, NOTIFICATIONS_DELIVERIES):
            await drop_topic(settings.kafka_bootstrap_servers, settings.topic(name.name))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
