"""The HTTP edge every service shares (shared/web.py, shared/ratelimit.py), through the services:
security headers and the content security policy, 413 above the body limit, 429 on sign-up floods."""

import contextlib

import pytest

from services.notifications.main import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from services.registry.main import create_app as registry_app
from services.registry.settings import RegistrySettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.scheduling.main import create_app as scheduling_app
from services.scheduling.settings import SchedulingSettings
from shared.auth import Role
from tests.platform import Platform, as_role, running, settings_for

LIMIT = 4096
SERVICES = {
    "registry": (registry_app, RegistrySettings),
    "scheduling": (scheduling_app, SchedulingSettings),
    "notifications": (notifications_app, NotificationsSettings),
    "reporting": (reporting_app, ReportingSettings),
}


@pytest.fixture(scope="module")
async def edge(infra, run_id):
    """The four services with a small body limit and a sign-up rate of 2 a minute."""
    platform = Platform(infra, f"{run_id}sw")
    async with contextlib.AsyncExitStack() as stack:
        for name, (create, cls) in SERVICES.items():
            s = settings_for(cls, infra, platform.run_id, max_body_bytes=LIMIT, signup_rate_per_minute=2)
            platform.settings[name] = s
            platform.http[name] = await stack.enter_async_context(running(create(s)))
        try:
            yield platform
        finally:
            await stack.aclose()
            await platform.cleanup()


def assert_security_headers(r) -> None:
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0], "no inline scripts"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"
    assert "camera=()" in r.headers["permissions-policy"]
    assert r.headers["cross-origin-opener-policy"] == "same-origin"


@pytest.mark.parametrize("service", list(SERVICES))
async def test_every_answer_has_the_security_headers(edge, service):
    http = edge.http[service]
    for r in (await http.get("/healthz"), await http.get("/v1/does-not-exist"), await http.post("/v1/nothing", json={})):
        assert_security_headers(r)


@pytest.mark.parametrize(("service", "path"), [("scheduling", "/programme"), ("scheduling", "/programme?lang=en"), ("reporting", "/dashboard")])
async def test_html_pages_carry_the_policy_and_have_no_inline_script(edge, service, path):
    r = await edge.http[service].get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert_security_headers(r)
    assert "<script" not in r.text.lower() and " on" + "click=" not in r.text.lower(), "the policy forbids scripts: the pages need none"


@pytest.mark.parametrize("service", list(SERVICES))
async def test_a_body_above_the_limit_is_413_by_content_length(edge, service):
    r = await edge.http[service].post("/v1/nothing-here", content=b"{" + b" " * LIMIT + b"}", headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["detail"][0]["field"] == "body" and r.json()["detail"][0]["code"] == "too_large"
    assert_security_headers(r)


async def test_a_streamed_body_without_content_length_is_counted_and_refused(edge):
    async def chunks():
        for _ in range(8):
            yield b" " * 1024

    r = await edge.http["registry"].post("/v1/sources", content=chunks(), headers={**as_role(Role.curator), "content-type": "application/json"})
    assert r.status_code == 413, r.text
    assert r.json()["detail"][0]["code"] == "too_large"


async def test_a_body_under_the_limit_still_works(edge):
    body = {"source": "urn:malmo:source:edge-ok", "kind": "other", "name": {"sv": "Liten", "en": "Small"}}
    r = await edge.http["registry"].post("/v1/sources", json=body, headers=as_role(Role.curator))
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("service", "path", "body"),
    [
        ("scheduling", "/v1/sessions/nope/registrations", {"name": "A", "email": "a@example.org"}),
        ("scheduling", "/programme/sessions/nope/register", None),
        ("notifications", "/v1/subscriptions", {"email": "a@example.org", "language": "sv"}),
    ],
)
async def test_public_sign_up_forms_are_rate_limited_with_retry_after(edge, service, path, body):
    http = edge.http[service]
    kwargs = {"json": body} if body is not None else {"content": b"name=A&email=a%40example.org", "headers": {"content-type": "application/x-www-form-urlencoded"}}
    statuses = [(await http.post(path, **kwargs)) for _ in range(3)]
    # The scheduling page and the REST route are one form: their counts are shared per client.
    assert statuses[-1].status_code == 429, [s.status_code for s in statuses]
    assert int(statuses[-1].headers["retry-after"]) >= 1
    assert statuses[-1].json()["detail"][0]["code"] == "rate_limited"
    assert all(s.status_code < 500 for s in statuses)


async def test_the_rate_limit_is_per_form_and_leaves_staff_routes_alone(edge):
    for _ in range(5):
        r = await edge.http["scheduling"].get("/v1/sessions", headers=as_role(Role.scheduler))
        assert r.status_code != 429
    r = await edge.http["notifications"].post("/v1/subscriptions/confirm", json={"token": "x"})
    assert r.status_code != 429
