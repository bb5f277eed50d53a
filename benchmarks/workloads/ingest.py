"""Registry ingest at the issue's size: 20,000 valid submissions from 20 sources on
registry.submissions.v1, until each is stored and re-emitted on registry.initiatives.v1 (the
registry emits from its outbox after the write, so a re-emitted initiative is a stored one).
About 100 s at the rates measured in docs/benchmarks.md (3,000 until those rates allowed more)."""

import asyncio
import json
import time
import uuid

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from shared.kafka.security import client_options

from benchmarks.common import Result

SIZES = {"full": {"submissions": 20_000, "sources": 20}, "small": {"submissions": 200, "sources": 4}}
SUBMISSIONS = "registry.submissions.v1"
INITIATIVES = "registry.initiatives.v1"


def submission(source: str, external_id: str) -> dict:
    return {
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": source, "type": "se.malmo.oppna.initiative.submitted.v1",
        "subject": external_id, "time": "2026-09-01T09:00:00+02:00", "datacontenttype": "application/json",
        "data": {
            "external_id": external_id, "revision": 1,
            "title": {"sv": f"Demokratisamtal {external_id}", "en": f"Democracy talk {external_id}"},
            "summary": {"sv": "Samtal om demokrati i Rosengård. Öppet för alla.", "en": "Talks about democracy. Open to all."},
            "organizer": {"kind": "administration", "name": "Kulturförvaltningen"},
            "themes": ["democracy", "participation"], "origin": "new", "districts": ["rosengard"], "languages": ["sv", "en"],
            "period": {"start": "2026-10-06", "end": "2026-10-19"}, "expected_participants": 60,
            "budget": {"requested_sek": 30000, "own_funding_sek": 15000},
        },
    }


async def register_sources(ctx, n: int, tag: str) -> list[str]:
    sources = [f"urn:malmo:source:bench-{ctx.run_id}-{tag}-{i}" for i in range(n)]
    async with httpx.AsyncClient(timeout=30) as http:
        for s in sources:
            body = {"source": s, "kind": "administration", "name": {"sv": s, "en": s}, "kafka_principal": f"User:{s.rsplit(':', 1)[-1]}"}
            r = await http.post(f"{ctx.url('registry')}/v1/sources", json=body, headers=ctx.staff("curator"))
            if r.status_code not in (201, 409):
                r.raise_for_status()
    return sources


class Tail:
    """Reads registry.initiatives.v1 from its current end: (partition, offset, time seen) per external_id of ours."""

    def __init__(self, ctx, prefix: str):
        self.ctx, self.prefix, self.seen, self.task = ctx, prefix, {}, None

    async def start(self) -> None:
        self.consumer = AIOKafkaConsumer(bootstrap_servers=self.ctx.bootstrap, group_id=None, enable_auto_commit=False, **client_options())
        await self.consumer.start()
        await self.consumer._client.force_metadata_update()
        parts = [TopicPartition(INITIATIVES, p) for p in sorted(self.consumer.partitions_for_topic(INITIATIVES) or ())]
        self.consumer.assign(parts)
        for tp, end in (await self.consumer.end_offsets(parts)).items():
            self.consumer.seek(tp, end)
        self.task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=100, max_records=2000)
            now = time.perf_counter()
            for tp, msgs in batch.items():
                for m in msgs:
                    data = json.loads(m.value).get("data") or {}
                    ext = data.get("external_id", "")
                    if ext.startswith(self.prefix) and ext not in self.seen:
                        self.seen[ext] = (tp.partition, m.offset, now)

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.consumer.stop()


def producer(ctx) -> AIOKafkaProducer:
    return AIOKafkaProducer(bootstrap_servers=ctx.bootstrap, enable_idempotence=True, acks="all", linger_ms=5, **client_options())


async def run(ctx, size: str) -> Result:
    s = SIZES[size]
    n = s["submissions"]
    sources = await register_sources(ctx, s["sources"], "ingest")
    prefix = f"BI-{ctx.run_id}-"
    events = [submission(sources[i % len(sources)], f"{prefix}{i}") for i in range(n)]
    payloads = [(json.dumps(e, ensure_ascii=False).encode(), e["data"]["external_id"].encode()) for e in events]
    tail = Tail(ctx, prefix)
    await tail.start()
    p = producer(ctx)
    await p.start()
    try:
        started = time.perf_counter()
        with ctx.bar(n, "ingest: publish") as bar:
            futures = []
            for value, key in payloads:
                futures.append(await p.send(SUBMISSIONS, value, key=key))
                if len(futures) % 1000 == 0:
                    bar.update(1000)
            await asyncio.gather(*futures)
        published = time.perf_counter() - started
        deadline = time.monotonic() + max(120, n / 20)
        with ctx.bar(n, "ingest: stored and re-emitted") as bar:
            while len(tail.seen) < n and time.monotonic() < deadline:
                bar.n = len(tail.seen)
                bar.refresh()
                await asyncio.sleep(0.25)
        done = len(tail.seen)
        last = max((t for _, _, t in tail.seen.values()), default=started)
    finally:
        await p.stop()
        await tail.stop()
    rate = done / (last - started) if done else 0.0
    ctx.shared["ingest_rate"] = rate
    ceiling = ctx.ceilings.get("db_upsert_per_s")
    ratio = rate / ceiling if ceiling else None
    return Result(f"registry ingest: {n:,} submissions, {s['sources']} sources", round(rate, 1), "stored+re-emitted/s",
                  ceiling=ceiling and round(ceiling, 1), ceiling_name="DB upsert by _id (8 concurrent)", ratio=ratio and round(ratio, 3),
                  goal="≥ 50 % of upsert ceiling", passed=done == n and ratio is not None and ratio >= 0.5,
                  details={"published_s": round(published, 2), "re_emitted": done, "expected": n, "elapsed_s": round(last - started, 2), **s})
