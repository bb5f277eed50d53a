"""Adding a session from the console: the scheduler picks one of the registry's stamped initiatives
whose period meets the edition, gives its length, seats and languages, and scheduling stores it
unplaced (the automatic placement then proposes a time). The registry and scheduling run on one
run's topics, so scheduling learns of the stamp as in production. A refusal is shown beside its
field with nothing stored; an initiative not yet stamped is not offered."""

import contextlib
import uuid

import pytest

from shared.auth import Role
from tests.console import browsing, console, csrf_of, on_a_port, registry_on_a_port, sign_in
from tests.integration.test_console_planning import beside, post_form
from tests.integration.test_scheduling_support import DoorOpensDaysAhead, days_ahead, edition_body, uid
from services.scheduling.main import create_app as scheduling_app
from tests.platform import STAFF_KEYS, as_role, as_source, eventually, register_source, submission

SCHEDULER = as_role(Role.scheduler)


@pytest.fixture(scope="module")
async def services(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}cas"))
        sched = await stack.enter_async_context(on_a_port(infra, f"{run_id}cas", scheduling_app, DoorOpensDaysAhead))
        yield registry, sched


async def submitted(registry, key: str, uri: str, title: str) -> str:
    period = {"start": days_ahead(2).date().isoformat(), "end": days_ahead(6).date().isoformat()}
    event = submission(uri, f"AS-{uuid.uuid4().hex[:6]}", title={"sv": title, "en": title}, period=period)
    r = await registry.http.post("/v1/submissions", json=event, headers=as_source(key))
    assert r.status_code == 202, r.text
    return r.json()["initiative_id"]


async def stamped(registry, sched, initiative_id: str) -> None:
    for decision in ("in_review", "approved"):
        r = await registry.http.post(f"/v1/initiatives/{initiative_id}/review", json={"decision": decision, "comment": "Bra"},
                                     headers=as_role(Role.curator))
        assert r.status_code == 200, r.text

    async def copied_stamped():
        r = await sched.http.get(f"/v1/initiatives/{initiative_id}")
        return r.status_code == 200 and r.json().get("stamped")

    await eventually(copied_stamped, what="scheduling to learn of the stamp")


async def test_a_session_is_added_for_a_stamped_initiative_and_a_refusal_is_shown_beside_its_field(services):
    registry, sched = services
    uri = f"urn:malmo:source:as-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry.http, uri, kind="civil_society", name="Föreningen Ljus")
    approved = await submitted(registry, key, uri, f"Stämplat {uid()[:6]}")
    waiting = await submitted(registry, key, uri, f"Ej granskat {uid()[:6]}")
    await stamped(registry, sched, approved)
    eid = f"ed-{uid()[:10]}"
    assert (await sched.http.post("/v1/editions", json=edition_body(eid, first=2, last=6), headers=SCHEDULER)).status_code == 201

    async with browsing(console(registry.url, scheduling_url=sched.url)) as client:
        assert (await sign_in(client, STAFF_KEYS[Role.scheduler])).status_code == 303
        page = f"/plan/editions/{eid}/sessions/new"
        form = await client.get(page)
        assert form.status_code == 200
        assert f'value="{approved}"' in form.text and f'value="{waiting}"' not in form.text, "only stamped initiatives are offered"

        refused = await post_form(client, page, page, {"pl_initiative_id": approved, "pl_duration_minutes": "5", "pl_session_capacity": "30",
                                                      "pl_session_languages": "sv, ar", "pl_registration_required": "yes"})
        assert refused.status_code == 422
        assert "15" in beside(refused.text, "pl_duration_minutes"), "scheduling's reason (at least 15 minutes) beside the length"
        assert 'value="5"' in refused.text, "what was typed is kept"
        listed = await sched.http.get("/v1/sessions", params={"edition_id": eid}, headers=SCHEDULER)
        assert listed.json() == [], "nothing stored"

        added = await post_form(client, page, page, {"pl_initiative_id": approved, "pl_duration_minutes": "90", "pl_session_capacity": "30",
                                                    "pl_session_languages": "sv, ar", "pl_registration_required": "yes"})
        assert added.status_code == 303 and added.headers["location"] == f"/plan/editions/{eid}?done=session_added"
        shown = await client.get(added.headers["location"])
        assert "Programmpunkten" not in shown.text and "Programpunkten är tillagd" in shown.text

    [session] = (await sched.http.get("/v1/sessions", params={"edition_id": eid}, headers=SCHEDULER)).json()
    assert session["initiative_id"] == approved and session["capacity"] == 30 and session["languages"] == ["sv", "ar"]
    assert session.get("starts_at") is None, "left for the placement"


async def test_a_publisher_key_is_refused_by_scheduling_and_sees_the_not_allowed_page(services):
    """The console does not gate the form (what it shows is public); scheduling refuses the write."""
    registry, sched = services
    uri = f"urn:malmo:source:as-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry.http, uri, kind="civil_society", name="Föreningen Mörker")
    eid = f"ed-{uid()[:10]}"
    assert (await sched.http.post("/v1/editions", json=edition_body(eid, first=2, last=6), headers=SCHEDULER)).status_code == 201
    async with browsing(console(registry.url, scheduling_url=sched.url)) as client:
        assert (await sign_in(client, key)).status_code == 303
        token = csrf_of((await client.get("/")).text)
        posted = await client.post(f"/plan/editions/{eid}/sessions/new",
                                   data={"csrf": token, "pl_initiative_id": "x", "pl_duration_minutes": "60", "pl_session_capacity": "10"})
    assert posted.status_code == 403 and "inte tillåtet" in posted.text.lower()
    assert (await sched.http.get("/v1/sessions", params={"edition_id": eid}, headers=SCHEDULER)).json() == []
