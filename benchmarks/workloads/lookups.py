"""find_one by _id and by a unique key at 50,000 documents vs 1,000 (backed indexes): within 2×."""

from pymongo import AsyncMongoClient

from benchmarks import lookup_growth as lg
from benchmarks.common import Result

SIZES = {"full": {"small": 1_000, "large": 50_000, "lookups": 2_000}, "small": {"small": 200, "large": 1_000, "lookups": 200}}


async def run(ctx, size: str) -> Result:
    s = SIZES[size]
    client = AsyncMongoClient(ctx.env["MONGODB_URL"], maxPoolSize=8, timeoutMS=120000)
    pg = ctx.env.get("FERRETDB_POSTGRESQL_URL")
    try:
        small = await lg.measure(client, f"bench_{ctx.run_id}_ls", s["small"], s["lookups"], True, pg)
        large = await lg.measure(client, f"bench_{ctx.run_id}_ll", s["large"], s["lookups"], True, pg)
    finally:
        await client.close()
    slow = max(small[f] / large[f] for f in ("_id", "code"))
    find_ceiling = ctx.ceilings.get("db_find_one_per_s")
    return Result(f"lookups: find_one at {s['large']:,} vs {s['small']:,} docs", round(slow, 2), "× slower (worst of _id, unique key)",
                  ceiling=2.0, ceiling_name="goal factor", ratio=round(slow / 2.0, 2), goal="≤ 2×", passed=slow <= 2.0,
                  details={"small_per_s": small, "large_per_s": large, "find_one_ceiling_8_concurrent": find_ceiling, **s})
