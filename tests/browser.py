"""A real browser and a real HTTP port for page tests: Debian's Chromium driven by Playwright.

The browser cannot reach an in-process ASGI client, so ``served`` runs the app under uvicorn on
a free loopback port. A missing Chromium fails the test loudly (``make test`` installs it).
"""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from tests.platform import eventually

CHROMIUM = Path("/usr/bin/chromium")
# Headless as root, and quiet: this machine's closed network refuses Chromium's background calls.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def served(app: FastAPI, port: int) -> AsyncIterator[str]:
    """The app (with its lifespan) behind uvicorn on 127.0.0.1:port; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    server.capture_signals = contextlib.nullcontext  # the test runner keeps its own signal handlers
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: asyncio.sleep(0, result=server.started), timeout=60, what="uvicorn to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def chromium():
    """A headless Chromium browser (Playwright)."""
    from playwright.async_api import async_playwright

    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium (make test does)"
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def serious_violations(page) -> list[tuple[str, str]]:
    """axe-core's serious and critical accessibility violations on the page."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [(v["id"], v["help"]) for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
