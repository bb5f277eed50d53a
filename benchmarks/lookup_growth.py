"""Lookups as collections grow: ``find_one`` by _id and by a unique key at 1,000 and 20,000 documents.

Goal: at 20,000 documents within twice the time per lookup at 1,000 (FerretDB v1 without the
PostgreSQL GIN index falls to a full scan: 379/s → 30/s,
docs/decisions/0003-gin-indexes-back-lookups.md). The same run also measures the collection
*without* the backing indexes, as the contrast.

    python -m benchmarks.lookup_growth [--small 1000] [--large 20000] [--lookups 2000]

Reads MONGODB_URL and FERRETDB_POSTGRESQL_URL (``make env`` prints them).
"""

import argparse
import asyncio
import os
import random
import time
import uuid

from pymongo import AsyncMongoClient

from shared.db.indexes import IndexSpec, ensure_indexes, is_ferretdb

SPECS = [IndexSpec("items", (("_id", 1),)), IndexSpec("items", (("code", 1),), unique=True)]


async def fill(db, n: int) -> list[tuple[str, str]]:
    keys = [(str(uuid.uuid4()), f"code-{i:07d}") for i in range(n)]
    # FerretDB hangs on large bulk writes (docs/decisions/0008-small-pools-timeouts-and-small-bulks.md)
    for start in range(0, n, 100):
        await db.items.insert_many(
            [{"_id": k, "code": c, "title": f"Initiative {c}", "themes": ["democracy"]} for k, c in keys[start : start + 100]]
        )
    return keys


async def rate(db, field: str, values: list[str], lookups: int) -> float:
    sample = [random.choice(values) for _ in range(lookups)]
    started = time.perf_counter()
    for v in sample:
        assert await db.items.find_one({field: v}) is not None
    return lookups / (time.perf_counter() - started)


async def measure(client, name: str, n: int, lookups: int, backed: bool, pg_url: str | None) -> dict[str, float]:
    db = client[name]
    await client.drop_database(name)
    await ensure_indexes(db, SPECS, pg_url if backed else None)
    keys = await fill(db, n)
    result = {
        "_id": await rate(db, "_id", [k for k, _ in keys], lookups),
        "code": await rate(db, "code", [c for _, c in keys], lookups),
    }
    await client.drop_database(name)
    return result


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--contrast-lookups", type=int, default=100, help="lookups on the unbacked collection (slow)")
    args = parser.parse_args()
    url = os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27027/")
    pg_url = os.environ.get("FERRETDB_POSTGRESQL_URL")
    client = AsyncMongoClient(url, maxPoolSize=8, timeoutMS=120000)
    try:
        ferret = await is_ferretdb(client["admin"])
        run = uuid.uuid4().hex[:6]
        rows = []
        for label, backed, lookups in (("backed", True, args.lookups), ("unbacked", False, args.contrast_lookups)):
            if not ferret and not backed:
                continue
            small = await measure(client, f"bench_{run}_s", args.small, lookups, backed, pg_url)
            large = await measure(client, f"bench_{run}_l", args.large, lookups, backed, pg_url)
            for field in ("_id", "code"):
                slowdown = small[field] / large[field]
                rows.append((label, field, small[field], large[field], slowdown))
    finally:
        await client.close()

    engine = "FerretDB" if ferret else "MongoDB"
    print(f"\nfind_one rate, {engine}, {args.small:,} vs {args.large:,} documents (goal: backed slowdown ≤ 2.0×)\n")
    print(f"| indexes  | lookup by | {args.small:>6,} docs /s | {args.large:>6,} docs /s | slowdown | ceiling | pass |")
    print("|----------|-----------|-----------------|-----------------|----------|---------|------|")
    ok = True
    for label, field, s, l, slowdown in rows:
        passed = slowdown <= 2.0
        if label == "backed":
            ok &= passed
        verdict = ("yes" if passed else "NO") if label == "backed" else "(contrast)"
        print(f"| {label:<8} | {field:<9} | {s:>15,.0f} | {l:>15,.0f} | {slowdown:>7.2f}× | 2.00×   | {verdict} |")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
