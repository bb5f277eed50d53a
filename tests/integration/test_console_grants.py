"""The curator's grants page: an edition's stamped initiatives with what each asked, a form per row
to grant an amount, the sum and what remains. The registry and scheduling run on one run's topics,
so the registry learns of the edition (and its budget) as in production. A grant over the budget
is refused beside its row with what remains; nothing changes. Not a curator: the not-allowed page."""

import contextlib
import uuid

import pytest

from services.scheduling.main import create_app as scheduling_app
from shared.auth import Role
from tests.console import browsing, console, csrf_of, on_a_port, registry_on_a_port, sign_in
from tests.integration.test_scheduling_support import DoorOpensDaysAhead, days_ahead, edition_body, uid
from tests.platform import STAFF_KEYS, as_role, as_source, eventually, register_source, submission

CURATOR = as_role(Role.curator)
BUDGET = 100_000


@pytest.fixture(scope="module")
async def services(infra, run_id):
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(registry_on_a_port(infra, f"{run_id}cgr"))
        sched = await stack.enter_async_context(on_a_port(infra, f"{run_id}cgr", scheduling_app, DoorOpensDaysAhead))
        yield registry, sched


async def granted_edition(registry, sched, first: int = 30, titles=("Sånger i Fosie", "Samtal i Rosengård")) -> tuple[str, list[str]]:
    """An edition with a budget of SEK 100,000 the registry knows, and two stamped initiatives in it asking 50,000 each."""
    eid = f"gr-{uid()[:10]}"
    body = {**edition_body(eid, first=first, last=first + 5), "budget_sek": BUDGET, "name": {"sv": f"Period {eid}", "en": f"Edition {eid}"}}
    assert (await sched.http.post("/v1/editions", json=body, headers=as_role(Role.scheduler))).status_code == 201

    async def known():
        return (await registry.http.get(f"/v1/editions/{eid}/grants", headers=CURATOR)).status_code == 200

    await eventually(known, what="the registry to learn of the edition")
    uri = f"urn:malmo:source:cg-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry.http, uri, kind="civil_society", name="Föreningen Ljus")
    ids = []
    for title in titles:
        period = {"start": days_ahead(first + 1).date().isoformat(), "end": days_ahead(first + 2).date().isoformat()}
        event = submission(uri, f"CG-{uuid.uuid4().hex[:6]}", title={"sv": title, "en": title}, period=period,
                           budget={"requested_sek": 50_000, "own_funding_sek": 0})
        r = await registry.http.post("/v1/submissions", json=event, headers=as_source(key))
        assert r.status_code == 202, r.text
        iid = r.json()["initiative_id"]
        for decision in ("in_review", "approved"):
            assert (await registry.http.post(f"/v1/initiatives/{iid}/review", json={"decision": decision}, headers=CURATOR)).status_code == 200
        ids.append(iid)
    return eid, ids


def beside(html: str, initiative_id: str) -> str:
    """The error text tied to a row's amount field (its aria-describedby target), or fail."""
    field = html.split(f'id="amount-{initiative_id}"')[1].split(">")[0]
    assert 'aria-invalid="true"' in field and f'aria-describedby="amount-{initiative_id}-error"' in field
    return html.split(f'id="amount-{initiative_id}-error"')[1].split("</p>")[0]


async def post_grant(client, eid: str, iid: str, amount: str):
    token = csrf_of((await client.get(f"/grants/{eid}")).text)
    return await client.post(f"/grants/{eid}/{iid}", data={"csrf": token, "amount_sek": amount})


async def book(registry, eid: str) -> dict:
    return (await registry.http.get(f"/v1/editions/{eid}/grants", headers=CURATOR)).json()


async def test_the_curator_grants_within_the_budget_and_sees_the_refusal_beside_the_row(services):
    registry, sched = services
    eid, (first, second) = await granted_edition(registry, sched)
    async with browsing(console(registry.url, scheduling_url=sched.url)) as client:
        assert (await sign_in(client, STAFF_KEYS[Role.curator])).status_code == 303
        assert 'href="/grants"' in (await client.get("/")).text
        page = (await client.get(f"/grants/{eid}", params={"lang": "sv"})).text
        assert "Sånger i Fosie" in page and "Samtal i Rosengård" in page and "50\u00a0000 kr" in page
        assert 'id="remaining">100\u00a0000 kr' in page

        done = await post_grant(client, eid, first, "60 000")
        assert done.status_code == 303 and done.headers["location"] == f"/grants/{eid}#row-{first}"
        page = (await client.get(f"/grants/{eid}")).text
        assert 'id="granted-sum">60\u00a0000 kr' in page and 'id="remaining">40\u00a0000 kr' in page
        assert (await book(registry, eid))["granted"] == {first: 60_000}

        over = await post_grant(client, eid, second, "50000")
        assert over.status_code == 409
        words = beside(over.text, second)
        assert "ryms inte i budgeten" in words and "40\u00a0000 kr" in words
        assert 'value="50000"' in over.text.split(f'id="amount-{second}"')[1].split(">")[0], "what was typed is kept"
        assert (await book(registry, eid))["granted"] == {first: 60_000}, "nothing changed"

        bad = await post_grant(client, eid, second, "mycket")
        assert bad.status_code == 422 and beside(bad.text, second)
        assert (await post_grant(client, eid, first, "0")).status_code == 303
        assert (await book(registry, eid))["granted"] == {}


async def test_a_scheduler_is_not_allowed_to_grant(services):
    registry, sched = services
    eid, (first,) = await granted_edition(registry, sched, first=50, titles=("Dans i Husie",))
    async with browsing(console(registry.url, scheduling_url=sched.url)) as client:
        assert (await sign_in(client, STAFF_KEYS[Role.scheduler])).status_code == 303
        assert 'href="/grants"' not in (await client.get("/")).text
        assert (await client.get(f"/grants/{eid}")).status_code == 403
        token = csrf_of((await client.get("/")).text)
        assert (await client.post(f"/grants/{eid}/{first}", data={"csrf": token, "amount_sek": "1000"})).status_code == 403
    assert (await book(registry, eid))["granted"] == {}
