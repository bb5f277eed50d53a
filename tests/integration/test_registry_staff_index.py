"""The staff's queries answered from every replica's memory (decision 0015), on the real engines.

What a curator checks: the list, search and the review queue give what the database's way gives
(``search.find_page`` / ``search.work_list``) over initiatives already stored when the registry
starts; a review shows in the queue of the replica that took it at once, and in the other
replica's soon after; a registry started later serves them all from its first request.
"""

import contextlib
import uuid
from datetime import date

import pytest
from pymongo import AsyncMongoClient

from services.registry.adapters import search
from services.registry.adapters.stores import INITIATIVES
from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.db.aggregates import AggregateStore
from shared.decisions import Decision
from shared.events.initiatives import InitiativeStatus
from tests.platform import Platform, as_role, eventually, register_source, running, settings_for, submission

pytestmark = pytest.mark.integration
CURATOR = as_role(Role.curator)
N = 240
THEMES = ("democracy", "inclusion", "climate")
DISTRICTS = ("rosengard", "hyllie", "fosie", "husie")
STATUSES = ("approved", "submitted", "in_review", "changes_requested", "approved", "withdrawn")


def state(n: int) -> dict:
    """Initiatives different in every field the staff filter by; some with no content, no period."""
    content = None if n % 37 == 5 else {
        "title": {"sv": f"Samtal {n}", "en": f"Talk {n}"}, "summary": {"sv": "Möte i Rosengård" if n % 11 == 3 else "Möte"},
        "themes": [THEMES[n % 3], *(["inclusion"] if n % 4 == 0 else [])], "districts": [DISTRICTS[n % 4]],
        "languages": ["sv", "uk"] if n % 9 == 0 else ["sv"], "origin": "existing" if n % 5 == 0 else "new",
        "organizer": {"kind": "political" if n % 7 == 0 else "civil_society", "name": f"Förening {n % 13}"},
        **({"period": {"start": f"2026-{1 + n % 12:02d}-01", "end": f"2026-{1 + n % 12:02d}-20"}} if n % 6 else {}),
    }
    status = STATUSES[n % len(STATUSES)]
    received = f"2026-09-01T09:{n // 60:02d}:{n % 60:02d}+00:00"
    history = [{"revision": r, "kind": "revision", "applied": True, "content": content} for r in (1, 2)] if n % 8 == 1 else []
    reviews = [{"decision": "approved", "revision": 1, "comment": ""}] if n % 8 == 1 or status == "approved" else []
    return {"initiative_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"staff-index-{n}")), "source": f"urn:malmo:source:si-{n % 3}",
            "external_id": f"SI-{n}", "revision": 1, "status": status, "stamped": status == "approved", "content": content,
            "received_at": received, "updated_at": received, "queued_at": f"2026-08-{1 + n % 28:02d}T10:00:00+00:00" if n % 2 else None,
            "late": {"edition_id": "e1"} if n % 10 == 1 else None, "edition_id": "e1" if n % 3 else "e2", "history": history, "reviews": reviews}


@pytest.fixture(scope="module")
async def stored(infra):
    """N initiatives written straight into the registry's database; then the registry started on it."""
    settings = settings_for(RegistrySettings, infra, f"si{uuid.uuid4().hex[:8]}")
    client = AsyncMongoClient(infra.mongodb, timeoutMS=20000)
    store = AggregateStore(client[settings.mongodb_database][INITIATIVES], lift=search.lifted)
    await store.change({s["initiative_id"]: (lambda _s, _v, s=s: Decision(s)) for s in map(state, range(N))}, new=True)
    cleanup = Platform(infra, settings.topic_prefix.rstrip("."))
    cleanup.settings["registry"] = settings
    try:
        app = create_app(settings)
        async with running(app) as http:
            await eventually(lambda: loaded(app), what="the staff index loaded in the background")
            yield store, http
    finally:
        await client.close()
        await cleanup.cleanup()


async def loaded(app) -> bool:
    return app.state.staff_index.loaded


FILTERS = [
    search.Filters(),
    search.Filters(status=InitiativeStatus.approved),
    search.Filters(source="urn:malmo:source:si-1", status=InitiativeStatus.submitted),
    search.Filters(theme="inclusion"),
    search.Filters(theme="climate", district="hyllie"),
    search.Filters(organizer_kind="political", language="uk"),
    search.Filters(origin="existing", edition="e2"),
    search.Filters(target_group="youth"),
    search.Filters(period_from=date(2026, 3, 10), period_to=date(2026, 6, 5)),
    search.Filters(text="ROSENGÅRD möte"),
    search.Filters(text="förening 4", status=InitiativeStatus.approved),
]


async def pages(ask, f: search.Filters, limit: int) -> list[dict]:
    seen, cursor = [], None
    while True:
        items, cursor = await ask(f, cursor, limit)
        seen += items
        if cursor is None:
            return seen


async def test_the_list_and_search_give_what_the_database_gives(stored):
    store, http = stored
    memory = http._transport.app.state.search
    for f in FILTERS:
        for limit in (7, 50):
            from_memory = await pages(memory.page, f, limit)
            from_database = await pages(lambda f, c, n: search.find_page(store, f, c, n, budget_s=60), f, limit)
            assert from_memory == from_database, (f, limit)
    _, cursor = await memory.page(search.Filters(), None, 5)
    from_memory, _ = await memory.page(search.Filters(), cursor, 5)
    assert from_memory == (await search.find_page(store, search.Filters(), cursor, 5))[0], "one cursor, either way"


async def test_the_review_queue_gives_what_the_database_gives(stored):
    store, http = stored
    memory = http._transport.app.state.search
    waiting = [InitiativeStatus.submitted, InitiativeStatus.in_review]
    for statuses, f, late, changed in [
        (waiting, search.Filters(), None, False),
        (waiting, search.Filters(text="möte", district="fosie"), None, False),
        (waiting + [InitiativeStatus.approved], search.Filters(), None, True),
        (waiting, search.Filters(edition="e1"), True, False),
        (waiting, search.Filters(source="urn:malmo:source:si-2", theme="democracy"), False, False),
    ]:
        assert await memory.work_list(statuses, f, 500, late, changed) == await search.work_list(store, statuses, f, 500, late, changed)
    r = await http.get("/v1/review/queue", params={"q": "samtal " * 28}, headers=CURATOR)  # the 200 characters the route allows
    assert r.status_code == 200, r.text


@contextlib.asynccontextmanager
async def replicas(infra, run_id: str, *names: str):
    apps = [create_app(settings_for(RegistrySettings, infra, run_id, replica_id=n, write_leases=True)) for n in names]
    async with contextlib.AsyncExitStack() as stack:
        yield [await stack.enter_async_context(running(app)) for app in apps]


async def queue_ids(http, **params) -> list[str]:
    r = await http.get("/v1/review/queue", params=params, headers=CURATOR)
    assert r.status_code == 200, r.text
    return [i["initiative_id"] for i in r.json()["items"]]


async def test_each_replica_serves_what_any_replica_wrote(infra):
    run_id = f"sr{uuid.uuid4().hex[:8]}"
    cleanup = Platform(infra, run_id)
    cleanup.settings["registry"] = settings_for(RegistrySettings, infra, run_id)
    try:
        async with replicas(infra, run_id, "registry-1", "registry-2") as (a, b):
            source = f"urn:malmo:source:sr-{uuid.uuid4().hex[:6]}"
            key = await register_source(a, source)
            ids = []
            for n in range(3):
                r = await a.post("/v1/submissions", json=submission(source, f"R-{n}"), headers={"authorization": f"Bearer {key}"})
                assert r.status_code == 202, r.text
                ids.append(r.json()["initiative_id"])
            assert sorted(await queue_ids(a, source=source)) == sorted(ids), "the replica that wrote them serves them at once"
            await eventually(lambda: _holds(b, source, ids), what="B's queue to show what A wrote")
            for decision in ("in_review", "rejected"):
                r = await b.post(f"/v1/initiatives/{ids[0]}/review", json={"decision": decision, "comment": "Nej"}, headers=CURATOR)
                assert r.status_code == 200, r.text
            assert ids[0] not in await queue_ids(b, source=source), "the reviewing replica's queue changes at once"
            await eventually(lambda: _gone(a, source, ids[0]), what="A's queue to drop what B reviewed")
        async with replicas(infra, run_id, "registry-3") as (c,):
            assert sorted(await queue_ids(c, source=source)) == sorted(ids[1:]), "a replica just started asks the database meanwhile"
            await eventually(lambda: loaded(c._transport.app), what="C's staff index loaded")
            assert sorted(await queue_ids(c, source=source)) == sorted(ids[1:]), "and then serves what it loaded"
            found = (await c.get("/v1/initiatives", params={"source": source, "q": "demokratisamtal"}, headers=CURATOR)).json()["items"]
            assert sorted(i["initiative_id"] for i in found) == sorted(ids)
    finally:
        await cleanup.cleanup()


async def _holds(http, source: str, ids: list[str]) -> bool:
    return sorted(await queue_ids(http, source=source)) == sorted(ids)


async def _gone(http, source: str, initiative_id: str) -> bool:
    return initiative_id not in await queue_ids(http, source=source)
