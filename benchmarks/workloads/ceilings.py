"""Kafka's own perf tools, raw aiokafka, raw PyMongo async: the engines' ceilings, this run."""

from benchmarks import ceilings as c
from benchmarks.common import Result

SIZES = {"full": {"records": 200_000, "docs": 5_000}, "small": {"records": 2_000, "docs": 300, "tools": False}}


async def run(ctx, size: str) -> Result:
    s = SIZES[size]
    results = await c.measure(s["records"], s["docs"], ctx.bootstrap, ctx.env["MONGODB_URL"], s.get("tools", True),
                             ctx.env.get("FERRETDB_POSTGRESQL_URL"))
    ctx.ceilings.update(results)
    return Result("ceilings (engines, raw clients)", results["db_upsert_per_s"], "upserts/s (DB ceiling)", goal="measured, no goal",
                  details={**results, **s})
