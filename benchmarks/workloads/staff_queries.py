"""The staff's queries at 50,000 initiatives: review queue, filtered list, search; each p99 ≤ 300 ms.

A registry app of its own (its own database, built by ``create_app``, no Kafka needed: only its
routes are asked, in process) over initiatives written straight in the store's layout
(``stored_document``, the lifted fields included), the staff index loaded as at start. Each query
is asked ``queries`` times one after another through the route, as a curator's key; beside it the
same query the database's way (``search.work_list`` / ``search.find_page`` on the store: what the
routes did before decision 0015), and the ceiling: a raw ``find_one`` by ``_id`` in the same run.
"""

import random
import time
import uuid
from pathlib import Path

import httpx
from pymongo import AsyncMongoClient

from benchmarks.common import Result, percentile
from services.registry.adapters import search
from services.registry.adapters.stores import INDEXES, INITIATIVES
from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role, StaffKey, hash_key, new_key
from shared.db.aggregates import stored_document
from shared.db.indexes import ensure_indexes
from shared.events.initiatives import InitiativeStatus

SIZES = {"full": {"initiatives": 50_000, "queries": 30}, "small": {"initiatives": 600, "queries": 3}}
GOAL_MS = 300
BEFORE_QUERIES = 3
THEMES = ("democracy", "inclusion", "anti_racism", "human_rights", "participation", "climate")
DISTRICTS = ("rosengard", "hyllie", "centrum", "fosie", "husie", "limhamn", "kirseberg", "oxie")
WORDS = "samtal möte workshop ungdomar demokrati rättigheter grannskap kultur musik idrott språk dialog framtid stad park".split()
STATUSES = ["approved"] * 14 + ["submitted"] * 3 + ["in_review", "changes_requested", "withdrawn"]
LONG_Q = ("demokrati " * 20)[:200]  # a 200-character q: 20 words, each one found in many texts


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def state(n: int, rng: random.Random) -> dict:
    """An initiative as the registry keeps it: a revision in its history, a review where reviewed."""
    status = rng.choice(STATUSES)
    received = f"2026-0{1 + n % 9}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00+00:00"
    start = f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}"
    content = {"title": {"sv": f"{_text(rng, 3).capitalize()} {n}", "en": f"Talk {n}"}, "summary": {"sv": _text(rng, 12)},
               "description": {"sv": _text(rng, 60), "en": "About " + _text(rng, 20)}, "themes": rng.sample(THEMES, 2),
               "districts": [rng.choice(DISTRICTS)], "target_groups": ["youth"], "languages": ["sv"], "origin": "new",
               "organizer": {"kind": "civil_society", "name": f"Förening {n % 500}"}, "period": {"start": start, "end": start},
               "contact": {"name": "Kim", "email": f"kim{n}@example.org"}}
    s = {"initiative_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"staff-bench-{n}")), "source": f"urn:malmo:source:bench-{n % 40}",
         "external_id": f"SB-{n}", "revision": 1, "status": status, "stamped": status == "approved", "content": content,
         "received_at": received, "updated_at": received, "edition_id": None, "late": None,
         "queued_at": received if status in ("submitted", "in_review") else None,
         "history": [{"revision": 1, "kind": "revision", "event_id": str(n), "via": "kafka", "received_at": received, "applied": True, "content": content}]}
    if status in ("approved", "changes_requested"):
        s["reviews"] = [{"decision": status, "comment": "", "decided_at": received, "curator": "bench", "revision": 1}]
        s["review"] = s["reviews"][-1]
    return s


QUERIES = {  # name → (route, params)
    "review queue": ("/v1/review/queue", {}),
    "review queue, q a word": ("/v1/review/queue", {"q": "musik"}),
    "review queue, q 200 characters": ("/v1/review/queue", {"q": LONG_Q}),
    "list, two filters": ("/v1/initiatives", {"theme": "climate", "district": "oxie"}),
    "search, a word": ("/v1/initiatives", {"q": "musik"}),
    "search, 200 characters": ("/v1/initiatives", {"q": LONG_Q}),
}


async def _timed(n: int, ask) -> tuple[list[float], str | None]:
    """``n`` answers' milliseconds, one after another; the first failure's name ends the series."""
    took = []
    for _ in range(n):
        t0 = time.perf_counter()
        try:
            await ask()
        except Exception as e:  # the database's way may time out: recorded, not raised
            return took, type(e).__name__
        took.append((time.perf_counter() - t0) * 1000)
    return took, None


def _before(store, route: str, params: dict):
    """The same query the database's way (``search``'s functions on the store)."""
    if route.endswith("queue"):
        statuses = [InitiativeStatus.submitted, InitiativeStatus.in_review]
        return lambda: search.work_list(store, statuses, search.Filters(text=params.get("q")), 100)
    f = search.Filters(theme=params.get("theme"), district=params.get("district"), text=params.get("q"))
    return lambda: search.find_page(store, f, None, 50)


def _rss_mb() -> float:
    """This process's resident memory (the index lives in it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _load(collection, n: int) -> float:
    rng, t0 = random.Random(15), time.perf_counter()
    for first in range(0, n, 1000):
        states = [state(i, rng) for i in range(first, min(first + 1000, n))]
        await collection.insert_many([stored_document(s["initiative_id"], s, lift=search.lifted) for s in states], ordered=False)
    return time.perf_counter() - t0


async def run(ctx, size: str) -> list[Result]:
    s = SIZES[size]
    key_id, key = new_key("benchcurator")
    settings = RegistrySettings(mongodb_url=ctx.env["MONGODB_URL"], mongodb_database=f"bench_{ctx.run_id}_staff",
                                ferretdb_postgresql_url=ctx.env.get("FERRETDB_POSTGRESQL_URL"),
                                staff_api_keys={key_id: StaffKey(role=Role.curator, sha256=hash_key(key))})
    app = create_app(settings)
    runtime = app.state.runtime
    client = AsyncMongoClient(settings.mongodb_url, maxPoolSize=8, timeoutMS=120000)
    try:
        await ensure_indexes(runtime.db, INDEXES, settings.ferretdb_postgresql_url)
        load_s = await _load(client[settings.mongodb_database][INITIATIVES], s["initiatives"])
        t0, rss = time.perf_counter(), _rss_mb()
        await app.state.staff_index.load()
        index_s, index_mb = time.perf_counter() - t0, _rss_mb() - rss
        some = [d["_id"] async for d in runtime.stores[INITIATIVES].find({search.BUCKET: 7}, {"_id": 1})]
        ceiling, _ = await _timed(s["queries"] * 3, lambda: runtime.db[INITIATIVES].find_one({"_id": random.choice(some)}))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registry",
                                     headers={"authorization": f"Bearer {key}"}, timeout=60) as http:
            rows = [await _row(ctx, http, runtime.stores[INITIATIVES], name, s, ceiling) for name in QUERIES]
    finally:
        await client.drop_database(settings.mongodb_database)
        await client.close()
        await runtime.client.close()
    for r in rows:
        r.details.update(load_s=round(load_s, 1), index_load_s=round(index_s, 1), index_entries=len(app.state.staff_index),
                         index_rss_growth_mb=round(index_mb))
    return rows


async def _row(ctx, http: httpx.AsyncClient, store, name: str, s: dict, ceiling: list[float]) -> Result:
    route, params = QUERIES[name]

    async def ask() -> None:
        (await http.get(route, params=params)).raise_for_status()

    await _timed(1, ask)  # once untimed: the route's first call builds what later calls reuse
    after, failed = await _timed(s["queries"], ask)
    before, before_failed = await _timed(BEFORE_QUERIES, _before(store, route, params))  # seconds each at 50,000
    p99, ceil = percentile(after, 99), percentile(ceiling, 50)
    return Result(f"staff queries at {s['initiatives']:,}: {name}", p99 and round(p99, 1), "ms p99",
                  ceiling=ceil and round(ceil, 2), ceiling_name="find_one by _id, ms p50", ratio=p99 and ceil and round(p99 / ceil, 1),
                  goal=f"p99 ≤ {GOAL_MS} ms", passed=failed is None and p99 is not None and p99 <= GOAL_MS,
                  details={"p50_ms": percentile(after, 50), "p99_ms": p99, "failed": failed, "route": route, "params": params,
                           "before_p50_ms": percentile(before, 50), "before_p99_ms": percentile(before, 99), "before_failed": before_failed, **s})
