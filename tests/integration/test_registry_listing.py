"""The registry's list of initiatives, walked bucket by bucket, on the real FerretDB.

FerretDB reads every document a query lets through and sorts them in its own process: the list
sorted by ``_id`` over the whole collection answered 500 (past the 5 s call timeout) at ~28,000
initiatives. Now a page asks one bucket of the lifted ``list_bucket`` at a time, with the filters
people use most (status, source) lifted too, so the database hands FerretDB only what a page
needs. What a person checks: every initiative comes exactly once however the pages are cut, and
no page asks the database for the whole collection.
"""

import uuid

import pytest
from pymongo import AsyncMongoClient

from services.registry.adapters import search
from shared.db.aggregates import AggregateStore
from shared.decisions import Decision
from shared.events.initiatives import InitiativeStatus
from tests.platform import CommandLog

pytestmark = pytest.mark.integration
N = 300
SOURCES = ("urn:malmo:source:list-a", "urn:malmo:source:list-b", "urn:malmo:source:list-c")


def state(n: int) -> dict:
    return {
        "initiative_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"listing-{n}")),
        "source": SOURCES[n % 3],
        "external_id": f"L-{n}",
        "status": "approved" if n % 5 == 0 else "submitted",
        "received_at": f"2026-09-01T09:{n // 60:02d}:{n % 60:02d}+00:00",
        "content": {"title": {"sv": f"Samtal {n}", "en": f"Talk {n}"}, "summary": {"sv": "Möte i Rosengård" if n % 50 == 3 else "Möte"},
                    "themes": ["inclusion" if n == 7 else "democracy"]},
    }


@pytest.fixture
async def initiatives(infra):
    """N initiatives written through the store with the registry's lifted fields, and a log of the commands."""
    name = f"list{uuid.uuid4().hex[:8]}"
    log = CommandLog(name)
    client = AsyncMongoClient(infra.mongodb, timeoutMS=20000, event_listeners=[log])
    store = AggregateStore(client[name]["initiatives"], lift=search.lifted)
    states = [state(n) for n in range(N)]
    await store.change({s["initiative_id"]: (lambda _state, _v, s=s: Decision(s)) for s in states}, new=True)
    log.commands.clear()
    try:
        yield store, states, log
    finally:
        await client.drop_database(name)
        await client.close()


async def walk(store: AggregateStore, f: search.Filters, limit: int, budget_s: float = search.PAGE_BUDGET_S) -> tuple[list[str], int]:
    """Every id the pages give, following next_cursor to the end; and how many pages it took."""
    seen, cursor, pages = [], None, 0
    while True:
        items, cursor = await search.find_page(store, f, cursor, limit, budget_s=budget_s)
        pages += 1
        assert len(items) <= limit
        seen += [i["initiative_id"] for i in items]
        if cursor is None:
            return seen, pages
        assert pages < 1000, "the cursor moves on"


async def test_pages_give_every_initiative_exactly_once_however_they_are_cut(initiatives):
    store, states, _ = initiatives
    every = sorted(s["initiative_id"] for s in states)
    for limit, budget in ((50, 60.0), (7, 60.0), (50, 0.0)):
        seen, pages = await walk(store, search.Filters(), limit, budget)
        assert len(seen) == len(set(seen)) == N, (limit, budget)
        assert sorted(seen) == every
        if budget:
            assert pages == -(-N // limit), "full pages while there is time"
    first, _ = await search.find_page(store, search.Filters(), None, 50)
    again, _ = await search.find_page(store, search.Filters(), None, 50)
    assert [i["initiative_id"] for i in first] == [i["initiative_id"] for i in again], "a stable order"


async def test_filters_and_free_text_find_exactly_their_initiatives_across_buckets(initiatives):
    store, states, _ = initiatives
    cases = [
        (search.Filters(status=InitiativeStatus.approved), lambda s: s["status"] == "approved"),
        (search.Filters(source=SOURCES[1]), lambda s: s["source"] == SOURCES[1]),
        (search.Filters(source=SOURCES[2], status=InitiativeStatus.submitted), lambda s: s["source"] == SOURCES[2] and s["status"] == "submitted"),
        (search.Filters(theme="inclusion"), lambda s: s["content"]["themes"] == ["inclusion"]),
        (search.Filters(text="ROSENGÅRD"), lambda s: "Rosengård" in s["content"]["summary"]["sv"]),
    ]
    for f, wanted in cases:
        seen, _ = await walk(store, f, 10)
        assert sorted(seen) == sorted(s["initiative_id"] for s in states if wanted(s)), f


async def test_no_page_asks_the_database_for_the_whole_collection(initiatives):
    store, _, log = initiatives
    await search.find_page(store, search.Filters(), None, 50)
    await search.find_page(store, search.Filters(status=InitiativeStatus.approved), None, 20)
    await search.work_list(store, [InitiativeStatus.submitted, InitiativeStatus.in_review], search.Filters(), 20)
    finds = log.sent("find", "initiatives")
    assert finds
    for command in finds:
        pushed = {k: v for k, v in command["filter"].items() if "." not in k and not isinstance(v, dict)}
        # A top-level equality is what FerretDB hands to PostgreSQL (and its index): each find
        # names one bucket, or one status for the curators' work list.
        assert search.BUCKET in pushed or "status" in pushed, command["filter"]


async def test_the_curators_work_list_holds_what_waits_oldest_first(initiatives):
    store, states, _ = initiatives
    items = await search.work_list(store, [InitiativeStatus.submitted], search.Filters(source=SOURCES[0]), 500)
    expected = sorted((s for s in states if s["status"] == "submitted" and s["source"] == SOURCES[0]), key=lambda s: s["received_at"])
    assert [i["initiative_id"] for i in items] == [s["initiative_id"] for s in expected]


async def test_a_cursor_given_before_buckets_goes_on_and_a_foreign_one_is_refused(initiatives):
    store, _, _ = initiatives
    items, cursor = await search.find_page(store, search.Filters(), None, 5)
    bare = items[-1]["initiative_id"]  # what next_cursor was before: the last _id
    by_bare, _ = await search.find_page(store, search.Filters(), bare, 5)
    by_cursor, _ = await search.find_page(store, search.Filters(), cursor, 5)
    assert [i["initiative_id"] for i in by_bare] == [i["initiative_id"] for i in by_cursor]
    for bad in ("999:x", "ab:", "12:"):
        with pytest.raises(search.BadCursor):
            await search.find_page(store, search.Filters(), bad, 5)
