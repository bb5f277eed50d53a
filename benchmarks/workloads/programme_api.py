"""Public programme API (JSON and ICS) under load, with wrk (Debian's HTTP benchmarking tool).
wrk runs on the same 2 cores as the service; its own CPU is part of the figure.

Ceiling, measured in the same run with the same wrk settings: a bare ASGI "hello" under uvicorn
as the services run it (same Python, no FastAPI, nothing to look up) — what this HTTP stack
serves at most on this machine, so the ratio shows what is left to our code."""

import asyncio
import re
import shutil
import socket
import sys

from benchmarks.common import Result

SIZES = {"full": {"seconds": 15, "connections": 32, "threads": 1}, "small": {"seconds": 2, "connections": 4, "threads": 1}}


def parse(out: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    def ms(label: str) -> float | None:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return None
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50_ms": ms("50"), "p99_ms": ms("99"), "non_2xx": int(non2xx.group(1)) if non2xx else 0, "socket_errors": errors.group(1) if errors else None}


async def wrk(url: str, s: dict) -> dict:
    proc = await asyncio.create_subprocess_exec("wrk", f"-t{s['threads']}", f"-c{s['connections']}", f"-d{s['seconds']}s", "--latency", url,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    if proc.returncode:
        raise RuntimeError(err.decode())
    return parse(out.decode())


HELLO = """
import uvicorn
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})
uvicorn.run(app, host="127.0.0.1", port=%d, log_level="warning")
"""


async def hello_ceiling(s: dict) -> dict:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", HELLO % port, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        return await wrk(f"http://127.0.0.1:{port}/", s)
    finally:
        proc.terminate()
        await proc.wait()


async def run(ctx, size: str) -> Result:
    s = SIZES[size]
    if not shutil.which("wrk"):
        return Result("public programme API", None, "req/s", goal="≥ 2,000 req/s, p99 < 50 ms", status="not run", details={"reason": "wrk missing: apt-get install -y wrk"})
    base = f"{ctx.url('scheduling')}/v1/programme"
    q = f"?edition_id={ctx.shared['edition_id']}" if "edition_id" in ctx.shared else ""
    out = {}
    for name, url in (("json", base + q), ("ics", base + ".ics" + q)):
        out[name] = await wrk(url, s)
    rps = min(v["rps"] for v in out.values())
    p99 = max(v["p99_ms"] or 0 for v in out.values())
    ok = all(v["non_2xx"] == 0 for v in out.values())
    hello = await hello_ceiling(s)
    return Result("public programme API (JSON and ICS, worst of both)", round(rps, 0), "req/s", ceiling=round(hello["rps"], 0),
                  ceiling_name="bare uvicorn ASGI hello, same wrk", ratio=round(rps / hello["rps"], 2), goal="≥ 2,000 req/s, p99 < 50 ms",
                  passed=ok and rps >= 2000 and p99 < 50, details={**out, "p99_ms_worst": p99, "hello_ceiling": hello, "edition": ctx.shared.get("edition_id"), **s})
