"""Helpers for the console's tests: a real registry on a real port (the console calls it over
HTTP, as in production), the console in front of it, and signing in through its form."""

import contextlib
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from services.console.main import create_app as console_app
from services.console.settings import ConsoleSettings
from services.registry.main import create_app as registry_app
from services.registry.settings import RegistrySettings
from shared.settings import ServiceSettings
from tests.browser import free_port, served
from tests.endpoints import Endpoints
from tests.platform import Platform, settings_for


@dataclass
class OnAPort:
    """A service on a port: its URL, and a client to it for a test's set-up and checks."""

    url: str
    http: httpx.AsyncClient


@contextlib.asynccontextmanager
async def on_a_port(infra: Endpoints, run_id: str, create_app: Callable[..., FastAPI], settings_cls: type[ServiceSettings],
                    **overrides: Any) -> AsyncIterator[OnAPort]:
    """A real service under uvicorn on a free loopback port (its URL, and a client to it); its
    database and topics dropped after. ``overrides``: settings besides the run's own."""
    platform = Platform(infra, run_id)
    port = free_port()
    settings = settings_for(settings_cls, infra, run_id, http_port=port, **overrides)
    platform.settings[settings.service_name] = settings
    async with contextlib.AsyncExitStack() as stack:
        try:
            url = await stack.enter_async_context(served(create_app(settings), port))
            http = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30))
            yield OnAPort(url, http)
        finally:
            await stack.aclose()
            await platform.cleanup()


def registry_on_a_port(infra: Endpoints, run_id: str, **overrides: Any) -> contextlib.AbstractAsyncContextManager[OnAPort]:
    """The real registry on a free loopback port (``overrides``: settings of the test's own)."""
    return on_a_port(infra, run_id, registry_app, RegistrySettings, **overrides)


class Clock:
    """A monotonic clock a test moves on (idle expiry without waiting)."""

    def __init__(self):
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now


def console(registry_url: str, clock: Clock | None = None, **settings) -> FastAPI:
    s = ConsoleSettings(registry_url=registry_url, log_level="warning", log_json=True, **settings)
    return console_app(s, clock=clock or time.monotonic)


@contextlib.asynccontextmanager
async def browsing(app: FastAPI, base_url: str = "http://127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the console as a browser would use it (cookies kept; no redirects followed)."""
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url, timeout=30) as client:
            yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, key: str) -> httpx.Response:
    """Through the form, as a person would: the form's token, then the key."""
    form = await client.get("/signin")
    return await client.post("/signin", data={"csrf": csrf_of(form.text), "key": key})


async def sign_in_page(page, url: str, key: str) -> None:
    """In the browser (Swedish): the sign-in form filled with ``key`` and sent with Enter, landing home."""
    await page.goto(f"{url}/signin")
    await page.get_by_label("Nyckel").fill(key)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{url}/")
