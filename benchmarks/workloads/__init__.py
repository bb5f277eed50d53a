"""One module per workload, each with ``async def run(ctx, size) -> Result`` (see benchmarks/run.py)."""
