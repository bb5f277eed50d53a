"""The HTTP edge in a real browser (Debian's Chromium, Playwright), all four services on real ports:
``/docs`` renders every operation from the service's own files under its policy, with no console
error and no failed or outside request; a page on another origin reads the public programme and
figures only when that origin is configured (CORS), and never the staff routes."""

import contextlib
import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from services.notifications.main import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from services.registry.main import create_app as registry_app
from services.registry.settings import RegistrySettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.scheduling.main import create_app as scheduling_app
from services.scheduling.settings import SchedulingSettings
from tests.browser import chromium, free_port, served
from tests.platform import Platform, settings_for

SERVICES = {
    "registry": (registry_app, RegistrySettings),
    "scheduling": (scheduling_app, SchedulingSettings),
    "notifications": (notifications_app, NotificationsSettings),
    "reporting": (reporting_app, ReportingSettings),
}
ELSEWHERE_PORT = free_port()
# One small server, two origins: "localhost" is configured, "127.0.0.1" is not.
ALLOWED = f"http://localhost:{ELSEWHERE_PORT}"
NOT_ALLOWED = f"http://127.0.0.1:{ELSEWHERE_PORT}"


@dataclass
class Edge:
    urls: dict[str, str]  # each service's base URL
    browser: Any
    http: httpx.AsyncClient  # async: the servers run on the test's loop


def elsewhere() -> FastAPI:
    """A page of another site (e.g. malmo.se): the browser's fetch from it carries its Origin."""
    app = FastAPI()

    @app.get("/", response_class=HTMLResponse)
    async def page() -> str:
        return "<!doctype html><html lang=sv><link rel=icon href=\"data:,\"><title>malmo.se</title><h1>Malmö stad</h1></html>"

    return app


@pytest.fixture(scope="module")
async def edge(infra):
    run_id = f"b{uuid.uuid4().hex[:8]}"
    platform = Platform(infra, run_id)
    urls: dict[str, str] = {}
    async with contextlib.AsyncExitStack() as stack:
        try:
            for name, (create, cls) in SERVICES.items():
                port = free_port()
                s = settings_for(cls, infra, run_id, http_port=port, cors_allowed_origins=[ALLOWED, "https://malmo.se"])
                platform.settings[name] = s
                urls[name] = await stack.enter_async_context(served(create(s), port))
            await stack.enter_async_context(served(elsewhere(), ELSEWHERE_PORT))
            browser = await stack.enter_async_context(chromium())
            http = await stack.enter_async_context(httpx.AsyncClient(timeout=30))
            yield Edge(urls, browser, http)
        finally:
            await stack.aclose()
            await platform.cleanup()


class Watched:
    """What a page did: console errors and uncaught exceptions, failed requests and answers
    >= 400, and requests to any other origin than ``base``."""

    def __init__(self, page, base: str):
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        page.on("response", lambda r: self.failed.append(f"{r.url}: {r.status}") if r.status >= 400 else None)
        page.on("request", lambda r: None if r.url.startswith((base + "/", "data:")) else self.outside.append(r.url))


@pytest.mark.parametrize("service", list(SERVICES))
async def test_docs_renders_every_operation_from_the_service_itself_with_no_console_error(edge, service):
    urls, browser, http = edge.urls, edge.browser, edge.http
    base = urls[service]
    spec = (await http.get(f"{base}/openapi.json")).json()
    operations = sum(len(ops) for ops in spec["paths"].values())
    page = await browser.new_page()
    seen = Watched(page, base)

    await page.goto(f"{base}/docs")
    await page.locator(".opblock").first.wait_for()
    await page.locator(f".opblock >> nth={operations - 1}").wait_for()

    assert await page.locator(".opblock").count() == operations
    healthz = page.locator(".opblock", has=page.locator(".opblock-summary-path[data-path='/healthz']"))
    await healthz.locator(".opblock-summary").click()  # an operation opens, with its answers, and runs
    await healthz.locator(".try-out__btn").click()
    await healthz.locator("button.execute").click()
    status = healthz.locator(".live-responses-table tbody .response-col_status").first
    await status.wait_for()
    assert (await status.inner_text()).strip() == "200"
    await page.locator(".models-control, .models h4").first.click()  # and the schemas
    await page.locator("button.authorize").click()  # the key schemes are offered
    await page.locator(".modal-ux .auth-container").first.wait_for()
    assert await page.locator(".modal-ux .auth-container").count() >= 2
    assert seen.errors == [], seen.errors
    assert seen.failed == [], seen.failed
    assert seen.outside == [], f"/docs must load nothing from elsewhere: {seen.outside}"
    await page.close()


@pytest.mark.parametrize("service", list(SERVICES))
async def test_the_docs_policy_allows_only_the_services_own_files_and_nothing_else_changes(edge, service):
    base, http = edge.urls[service], edge.http
    docs = await http.get(f"{base}/docs")
    policy = dict(p.strip().split(" ", 1) for p in docs.headers["content-security-policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'", policy
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert not re.search(r"https?:|\*|unsafe", docs.headers["content-security-policy"]), "no host, wildcard or unsafe-* source"
    for src in re.findall(r'(?:src|href)="([^"]+)"', docs.text):
        asset = await http.get(f"{base}{src}")
        assert asset.status_code == 200 and src.startswith("/docs/"), src
    for path in ("/healthz", "/openapi.json", "/v1/nothing"):
        assert "script-src 'none'" in (await http.get(f"{base}{path}")).headers["content-security-policy"], path


@pytest.mark.parametrize(("service", "path"), [
    ("scheduling", "/v1/programme"),
    ("scheduling", "/v1/programme.ics"),
    ("reporting", "/v1/figures/initiatives"),
    ("registry", "/v1/vocabularies"),
])
async def test_public_reads_answer_a_configured_origin_only(edge, service, path):
    base, http = edge.urls[service], edge.http
    for _ in range(2):  # the second answer of a programme feed comes from its rendered bytes (FastPath)
        r = await http.get(f"{base}{path}", headers={"origin": "https://malmo.se"})
        assert r.status_code == 200 and r.headers.get("access-control-allow-origin") == "https://malmo.se", r.headers
        assert "access-control-allow-credentials" not in r.headers
    other = await http.get(f"{base}{path}", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    plain = await http.get(f"{base}{path}")  # no Origin: a shared cache must still not hand this copy to a page elsewhere
    assert "origin" in plain.headers.get("vary", "").lower(), plain.headers
    preflight = await http.options(f"{base}{path}", headers={"origin": "https://malmo.se", "access-control-request-method": "GET"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "https://malmo.se"
    refused = await http.options(f"{base}{path}", headers={"origin": "https://evil.example", "access-control-request-method": "GET"})
    assert "access-control-allow-origin" not in refused.headers


@pytest.mark.parametrize(("service", "method", "path"), [
    ("scheduling", "GET", "/v1/sessions"),
    ("scheduling", "POST", "/v1/sessions/x/registrations"),
    ("registry", "GET", "/v1/sources"),
    ("registry", "POST", "/v1/submissions"),
    ("reporting", "GET", "/v1/analyst/figures/trends"),
    ("notifications", "POST", "/v1/subscriptions"),
])
async def test_staff_routes_and_writes_are_not_opened_to_other_origins(edge, service, method, path):
    base, http = edge.urls[service], edge.http
    preflight = await http.options(f"{base}{path}", headers={"origin": "https://malmo.se", "access-control-request-method": method,
                                                          "access-control-request-headers": "authorization, content-type"})
    assert "access-control-allow-origin" not in preflight.headers, preflight.headers
    r = await http.request(method, f"{base}{path}", headers={"origin": "https://malmo.se"})
    assert "access-control-allow-origin" not in r.headers


FETCH_JSON = "url => fetch(url).then(r => r.json()).then(j => ({ok: true, keys: Object.keys(j)}), e => ({ok: false, error: String(e)}))"
FETCH_TEXT = "url => fetch(url).then(r => r.text()).then(t => ({ok: true, text: t}), e => ({ok: false, error: String(e)}))"


async def test_a_page_on_a_configured_origin_reads_the_programme_and_its_calendar(edge):
    urls, browser = edge.urls, edge.browser
    page = await browser.new_page()
    seen = Watched(page, ALLOWED)
    await page.goto(ALLOWED + "/")
    programme = await page.evaluate(FETCH_JSON, urls["scheduling"] + "/v1/programme")
    assert programme == {"ok": True, "keys": ["count", "sessions"]}, programme
    again = await page.evaluate(FETCH_JSON, urls["scheduling"] + "/v1/programme")
    assert again == programme
    calendar = await page.evaluate(FETCH_TEXT, urls["scheduling"] + "/v1/programme.ics")
    assert calendar["ok"] and calendar["text"].startswith("BEGIN:VCALENDAR"), calendar
    assert seen.errors == [] and seen.failed == []
    await page.close()


async def test_a_page_on_another_origin_cannot_read_the_programme(edge):
    urls, browser = edge.urls, edge.browser
    page = await browser.new_page()
    await page.goto(NOT_ALLOWED + "/")
    refused = await page.evaluate(FETCH_JSON, urls["scheduling"] + "/v1/programme")
    assert refused["ok"] is False and "Failed to fetch" in refused["error"], refused
    await page.close()
