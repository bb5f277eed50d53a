"""The authorisation matrix of every service, generated from the routes themselves.

Every non-GET route of every service, and every GET route that asks for a key, must have a row
in ``MATRIX`` naming who may call it: a new route without a row fails
``test_every_write_and_private_route_is_declared``. Each row is then called as each principal
(anonymous, another source, the right source, curator, scheduler, analyst): the ones allowed
must get past authentication and authorisation (neither 401 nor 403 — a 404 or 422 for the
placeholder ids and empty bodies is fine), the others must get 401 or 403.
"""

import re
import uuid

import pytest
from fastapi.routing import APIRoute, _iter_included_route_candidates

from shared.auth import Role
from tests.platform import as_role, as_source, eventually, register_source, submission

ANON, OTHER, RIGHT, CURATOR, SCHEDULER, ANALYST = "anonymous", "other_source", "right_source", "curator", "scheduler", "analyst"
PRINCIPALS = (ANON, OTHER, RIGHT, CURATOR, SCHEDULER, ANALYST)
PUBLIC = frozenset(PRINCIPALS)  # declared public on purpose: a token in the link, or a sign-up form
NOBODY = frozenset()  # no API key opens it (the SMS gateway's webhook has its own secret)
STAFF = frozenset({SCHEDULER, CURATOR})
# Staff, and a publisher's key for its own sessions: any publisher passes the key check, and
# scheduling then answers another's session (or the placeholder id) as not found (404).
STAFF_OR_PUBLISHER = STAFF | {OTHER, RIGHT}

MATRIX: dict[tuple[str, str, str], frozenset[str]] = {
    # registry
    ("registry", "POST", "/v1/submissions"): frozenset({RIGHT}),
    ("registry", "POST", "/v1/initiatives/{initiative_id}/review"): frozenset({CURATOR}),
    ("registry", "DELETE", "/v1/initiatives/{initiative_id}/contact"): frozenset({CURATOR}),
    ("registry", "GET", "/v1/review/queue"): frozenset({CURATOR}),
    ("registry", "GET", "/v1/sources/{source:source}/rejections"): frozenset({RIGHT, CURATOR}),
    ("registry", "GET", "/v1/rejections/unattributed"): frozenset({CURATOR}),
    ("registry", "POST", "/v1/sources/{source:source}/keys"): frozenset({RIGHT, CURATOR}),
    ("registry", "DELETE", "/v1/sources/{source:source}/keys/{key_id}"): frozenset({RIGHT, CURATOR}),
    ("registry", "POST", "/v1/sources"): frozenset({CURATOR}),
    ("registry", "GET", "/v1/sources"): frozenset({CURATOR}),
    ("registry", "PATCH", "/v1/sources/{source:source}"): frozenset({CURATOR}),
    ("registry", "GET", "/v1/sources/{source:source}"): frozenset({RIGHT, CURATOR}),
    ("registry", "PUT", "/v1/vocabularies/{name}/terms/{code}"): frozenset({CURATOR}),
    ("registry", "GET", "/v1/me"): frozenset({OTHER, RIGHT, CURATOR, SCHEDULER, ANALYST}),  # any valid key
    ("registry", "DELETE", "/v1/vocabularies/{name}/terms/{code}"): frozenset({CURATOR}),
    ("registry", "PUT", "/v1/editions/{edition_id}/grants/{initiative_id}"): frozenset({CURATOR}),
    # any publisher's key passes the key check; the registry then answers by the initiative (404 here, 403 another's)
    ("registry", "POST", "/v1/initiatives/{initiative_id}/report"): frozenset({OTHER, RIGHT}),
    ("registry", "GET", "/v1/reports/queue"): frozenset({CURATOR}),
    ("registry", "POST", "/v1/reports/{initiative_id}/review"): frozenset({CURATOR}),
    # scheduling: staff
    ("scheduling", "POST", "/v1/editions"): STAFF,
    ("scheduling", "PATCH", "/v1/editions/{edition_id}"): STAFF,
    ("scheduling", "GET", "/v1/editions/{edition_id}/conflicts"): STAFF,
    ("scheduling", "POST", "/v1/editions/{edition_id}/publish"): STAFF,
    ("scheduling", "POST", "/v1/editions/{edition_id}/close"): STAFF,
    ("scheduling", "POST", "/v1/editions/{edition_id}/placement"): STAFF,
    ("scheduling", "POST", "/v1/editions/{edition_id}/placement/accept"): STAFF,
    ("scheduling", "POST", "/v1/venues"): STAFF,
    ("scheduling", "PUT", "/v1/venues/{venue_id}"): STAFF,
    ("scheduling", "POST", "/v1/sessions"): STAFF,
    ("scheduling", "GET", "/v1/sessions"): STAFF,
    ("scheduling", "GET", "/v1/sessions/{session_id}"): STAFF_OR_PUBLISHER,
    ("scheduling", "PATCH", "/v1/sessions/{session_id}"): STAFF,
    ("scheduling", "POST", "/v1/sessions/{session_id}/publish"): STAFF,
    ("scheduling", "POST", "/v1/sessions/{session_id}/cancel"): STAFF,
    ("scheduling", "POST", "/v1/sessions/{session_id}/check-in"): STAFF_OR_PUBLISHER,
    ("scheduling", "GET", "/v1/sessions/{session_id}/registrations"): STAFF_OR_PUBLISHER,
    ("scheduling", "POST", "/v1/contacts/erase"): STAFF,
    ("scheduling", "GET", "/v1/my/sessions"): frozenset({OTHER, RIGHT}),  # a publisher's own sessions
    # scheduling: public, rate-limited sign-up forms and the registrant's private link (the token)
    ("scheduling", "POST", "/v1/sessions/{session_id}/registrations"): PUBLIC,
    ("scheduling", "POST", "/programme/sessions/{session_id}/register"): PUBLIC,
    ("scheduling", "DELETE", "/v1/registrations/{token}"): PUBLIC,
    ("scheduling", "POST", "/v1/registrations/{token}/erase"): PUBLIC,
    ("scheduling", "POST", "/programme/registrations/{token}/cancel"): PUBLIC,
    ("scheduling", "POST", "/programme/registrations/{token}/erase"): PUBLIC,
    # notifications
    ("notifications", "POST", "/v1/subscriptions"): PUBLIC,  # rate-limited, double opt-in
    ("notifications", "POST", "/subscribe"): PUBLIC,  # the same as a page's form
    ("notifications", "POST", "/v1/subscriptions/confirm"): PUBLIC,  # the link's signed token
    ("notifications", "POST", "/v1/unsubscribe/{token}"): PUBLIC,  # the link's signed token
    ("notifications", "POST", "/v1/erasure"): frozenset({CURATOR}),  # or with a signed token (tested elsewhere)
    ("notifications", "GET", "/v1/preview/{category}/{language}"): frozenset({CURATOR}),
    ("notifications", "POST", "/feedback/{token}"): PUBLIC,  # the survey link's random token
    ("notifications", "GET", "/v1/feedback/comments"): frozenset({OTHER, RIGHT, CURATOR}),  # a publisher: its own initiatives' released ones
    ("notifications", "POST", "/v1/feedback/comments/{answer_id}/release"): frozenset({CURATOR}),
    ("notifications", "POST", "/v1/sms/receipts"): NOBODY,
    # reporting
    ("reporting", "GET", "/v1/analyst/editions/{edition_id}/figures/{area}"): frozenset({ANALYST}),
    ("reporting", "GET", "/v1/analyst/figures/trends"): frozenset({ANALYST}),
    ("reporting", "POST", "/v1/rebuild"): frozenset({ANALYST}),
    ("reporting", "POST", "/v1/editions/{edition_id}/snapshots"): frozenset({ANALYST}),
}
SERVICES = ("registry", "scheduling", "notifications", "reporting")
PLACEHOLDER = {"category": "registration_confirmed", "language": "sv", "area": "initiatives", "name": "themes"}


def _asks_for_a_key(dependant) -> bool:
    """A route asks for a key when a dependency of it is shared.auth.require's."""
    for d in dependant.dependencies:
        if getattr(d.call, "__qualname__", "").startswith("require.<locals>") or _asks_for_a_key(d):
            return True
    return False


def routes(platform, service: str) -> list[tuple[str, str, APIRoute]]:
    app = platform.http[service]._transport.app
    out = []
    # FastAPI 0.16x keeps included routers as branches; this walks them to the effective routes.
    for route in _iter_included_route_candidates(app.routes):
        if isinstance(route, APIRoute):
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                out.append((method, route.path, route))
    return out


def test_every_write_and_private_route_is_declared(platform):
    missing, stale = [], set(MATRIX)
    for service in SERVICES:
        for method, path, route in routes(platform, service):
            stale.discard((service, method, path))
            if (method != "GET" or _asks_for_a_key(route.dependant)) and (service, method, path) not in MATRIX:
                missing.append(f"{service} {method} {path}")
    assert not missing, f"routes without a row in the authorisation matrix: {missing}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


def test_every_route_that_asks_for_a_key_is_declared_for_someone_and_not_public(platform):
    for service in SERVICES:
        for method, path, route in routes(platform, service):
            if _asks_for_a_key(route.dependant) and (service, method, path) in MATRIX:
                assert MATRIX[service, method, path] != PUBLIC, f"{service} {method} {path} checks a key but is declared public"


@pytest.fixture(scope="module")
async def principals(platform):
    right = f"urn:malmo:source:mx-{uuid.uuid4().hex[:6]}"
    right_key = await register_source(platform, right)
    other_key = await register_source(platform, f"urn:malmo:source:mx-{uuid.uuid4().hex[:6]}")
    headers = {
        ANON: {},
        OTHER: as_source(other_key),
        RIGHT: as_source(right_key),
        CURATOR: as_role(Role.curator),
        SCHEDULER: as_role(Role.scheduler),
        ANALYST: as_role(Role.analyst),
    }

    async def known_everywhere():  # scheduling and notifications learn publishers' keys from registry.sources.v1
        answers = [await platform.http["scheduling"].get("/v1/my/sessions", headers=headers[who]) for who in (OTHER, RIGHT)]
        answers += [await platform.http["notifications"].get("/v1/feedback/comments", params={"initiative_id": "nope"}, headers=headers[who])
                    for who in (OTHER, RIGHT)]
        return all(a.status_code == 200 for a in answers[:2]) and all(a.status_code != 401 for a in answers[2:])

    await eventually(known_everywhere, what="the publishers' keys at scheduling and notifications")
    return right, headers


def _url(path: str, right_source: str) -> str:
    def fill(m: re.Match) -> str:
        name = m.group(1)
        return right_source if name == "source" else PLACEHOLDER.get(name, f"nope-{name}")

    return re.sub(r"\{(\w+)(?::\w+)?\}", fill, path)


@pytest.mark.parametrize("row", list(MATRIX), ids=lambda r: f"{r[0]} {r[1]} {r[2]}")
async def test_authorisation_matrix(platform, principals, row):
    service, method, path = row
    right, headers = principals
    allowed = MATRIX[row]
    url = _url(path, right)
    outcomes = {}
    for who in PRINCIPALS:
        body = submission(right, f"MX-{uuid.uuid4().hex[:6]}") if path == "/v1/submissions" else {}
        kwargs = {"json": body} if method in ("POST", "PUT", "PATCH") else {}
        r = await platform.http[service].request(method, url, headers=headers[who], **kwargs)
        outcomes[who] = r.status_code
        assert r.status_code < 500, f"{service} {method} {url} as {who}: {r.status_code} {r.text[:300]}"
    refused = {who for who, status in outcomes.items() if status in (401, 403)}
    assert refused == set(PRINCIPALS) - allowed, f"{service} {method} {path}: {outcomes}"
    if ANON not in allowed:
        assert outcomes[ANON] == 401, "anonymous callers are told to authenticate"
