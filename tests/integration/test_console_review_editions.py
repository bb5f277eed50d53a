"""The work list by edition: the curator chooses a forum period by its name (scheduling's editions)
and sees only the initiatives that belong to it (the registry's rule: the edition the period
overlaps). The registry and scheduling run on one run's topics, so the registry learns of the
editions as in production."""

import uuid

from shared.auth import Role
from tests.console import browsing, console, sign_in
from tests.integration.test_console_planning_sessions import SCHEDULER, services  # noqa: F401 - the fixture
from tests.integration.test_scheduling_support import days_ahead, edition_body, uid
from tests.platform import STAFF_KEYS, as_role, as_source, eventually, register_source, submission


async def test_the_curator_filters_the_work_list_by_an_edition_chosen_by_its_name(services):  # noqa: F811
    registry, sched = services
    near, far = f"ed-{uid()[:10]}", f"ed-{uid()[:10]}"
    for eid, first, last, name in ((near, 2, 6, "Öppna Malmö nära"), (far, 40, 44, "Öppna Malmö långt bort")):
        body = {**edition_body(eid, first=first, last=last), "name": {"sv": name, "en": name}}
        assert (await sched.http.post("/v1/editions", json=body, headers=SCHEDULER)).status_code == 201
    uri = f"urn:malmo:source:re-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry.http, uri, kind="civil_society", name="Föreningen Ljus")

    async def submitted(title: str, day: int) -> str:
        period = {"start": days_ahead(day).date().isoformat(), "end": days_ahead(day + 1).date().isoformat()}
        event = submission(uri, f"RE-{uuid.uuid4().hex[:6]}", title={"sv": title, "en": title}, period=period)
        r = await registry.http.post("/v1/submissions", json=event, headers=as_source(key))
        assert r.status_code == 202, r.text
        return r.json()["initiative_id"]

    async def known_to_the_registry():
        """A probe in the far edition's period is placed in it once the registry has its copy."""
        probe = await submitted(f"Prov {uid()[:4]}", 41)
        queue = await registry.http.get("/v1/review/queue", params={"edition": far, "source": uri}, headers=as_role(Role.curator))
        return probe in {i["initiative_id"] for i in queue.json()["items"]}

    await eventually(known_to_the_registry, what="the registry to learn of the editions")
    soon, later = f"Nära {uid()[:6]}", f"Långt bort {uid()[:6]}"
    await submitted(soon, 3)
    await submitted(later, 42)

    async with browsing(console(registry.url, scheduling_url=sched.url)) as client:
        assert (await sign_in(client, STAFF_KEYS[Role.curator])).status_code == 303
        page = (await client.get("/review", params={"source": uri})).text
        assert f'<option value="{near}">Öppna Malmö nära</option>' in page, "the editions by name"
        assert soon in page and later in page
        chosen = (await client.get("/review", params={"source": uri, "edition": near})).text
        assert soon in chosen and later not in chosen
        assert f'<option value="{near}" selected>' in chosen
