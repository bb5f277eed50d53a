"""Late submissions on the real Kafka and FerretDB (issue 24, point 22): the registry follows the
editions scheduling publishes, accepts a submission after its edition's window and marks it late."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pymongo import AsyncMongoClient

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.envelope import new_event
from shared.events.scheduling import EditionPlannedV1, EditionUpdatedV1
from tests.platform import as_role, as_source, eventually, register_source, service_fixture, submission

pytestmark = pytest.mark.integration
CURATOR = as_role(Role.curator)


registry = service_fixture("registry", create_app, RegistrySettings, "lt")


def edition(edition_id: str, starts, closes, cls=EditionPlannedV1, version: int = 1):
    return cls(edition_id=edition_id, version=version, name={"sv": edition_id}, year=starts.year, starts_on=starts, ends_on=starts + timedelta(days=13),
               submission_opens_on=closes - timedelta(days=120), submission_closes_on=closes, budget_sek=3_780_000, status="planning")


async def tell(registry, data):
    event = new_event(data, source="urn:malmo:oppna:scheduling", subject=data.edition_id)
    await registry.kafka.send("scheduling.sessions.v1", event.to_bytes(), key=data.edition_id)


async def copied(registry, infra, edition_id: str, version: int):
    client = AsyncMongoClient(infra.mongodb, timeoutMS=10000)
    try:
        async def there():
            doc = await client[registry.settings["registry"].mongodb_database]["editions"].find_one({"_id": edition_id})
            return doc if doc and doc["state"]["version"] >= version else None

        await eventually(there, what=f"the registry to copy edition {edition_id} v{version}")
    finally:
        await client.close()


async def test_a_submission_after_the_window_is_accepted_marked_late_and_shown_to_curators(registry, infra):
    http = registry.http["registry"]
    today = datetime.now(ZoneInfo("Europe/Stockholm")).date()  # the registry marks the day in Malmö
    tag = uuid.uuid4().hex[:6]
    closed, open_ = f"ed-closed-{tag}", f"ed-open-{tag}"
    closed_starts, open_starts = today + timedelta(days=400), today + timedelta(days=800)
    await tell(registry, edition(closed, closed_starts, today - timedelta(days=2)))
    await tell(registry, edition(open_, open_starts, today + timedelta(days=30)))
    await copied(registry, infra, closed, 1)
    await copied(registry, infra, open_, 1)

    source = f"urn:malmo:source:lt-{tag}"
    key = await register_source(registry, source)

    async def submit(external_id, starts, **kw):
        period = {"start": starts.isoformat(), "end": (starts + timedelta(days=2)).isoformat()}
        r = await http.post("/v1/submissions", json=submission(source, external_id, period=period, **kw), headers=as_source(key))
        assert r.status_code == 202, r.text  # accepted, late or not
        return r.json()["initiative_id"]

    late = await submit("LT-LATE", closed_starts + timedelta(days=1))
    in_time = await submit("LT-OK", open_starts)

    state = (await http.get(f"/v1/initiatives/{late}", headers=CURATOR)).json()
    assert state["status"] == "submitted"
    assert state["late"] == {"edition_id": closed, "submission_closes_on": (today - timedelta(days=2)).isoformat(), "received_on": today.isoformat()}
    assert (await http.get(f"/v1/initiatives/{in_time}", headers=CURATOR)).json().get("late") is None

    queue = (await http.get("/v1/review/queue", params={"source": source}, headers=CURATOR)).json()["items"]
    assert {i["initiative_id"]: bool(i.get("late")) for i in queue} == {late: True, in_time: False}
    only_late = (await http.get("/v1/review/queue", params={"source": source, "late": "true"}, headers=CURATOR)).json()["items"]
    assert [i["initiative_id"] for i in only_late] == [late]
    not_late = (await http.get("/v1/review/queue", params={"source": source, "late": "false"}, headers=CURATOR)).json()["items"]
    assert [i["initiative_id"] for i in not_late] == [in_time]

    # Scheduling reopens the window: the newest edition counts from then on.
    await tell(registry, edition(closed, closed_starts, today + timedelta(days=5), cls=EditionUpdatedV1, version=2))
    await copied(registry, infra, closed, 2)
    reopened = await submit("LT-REOPENED", closed_starts + timedelta(days=1))
    assert (await http.get(f"/v1/initiatives/{reopened}", headers=CURATOR)).json().get("late") is None


async def test_the_work_list_and_the_list_filter_by_the_edition_an_initiative_belongs_to(registry, infra):
    """An initiative belongs to the edition its period overlaps (the rule that marks it late), and
    moves when a revision moves its period; curators filter the work list by it, anyone the list."""
    http = registry.http["registry"]
    today = datetime.now(ZoneInfo("Europe/Stockholm")).date()
    tag = uuid.uuid4().hex[:6]
    first, second = f"ed-a-{tag}", f"ed-b-{tag}"
    first_starts, second_starts = today + timedelta(days=300), today + timedelta(days=665)
    await tell(registry, edition(first, first_starts, today + timedelta(days=30)))
    await tell(registry, edition(second, second_starts, today + timedelta(days=400)))
    await copied(registry, infra, first, 1)
    await copied(registry, infra, second, 1)
    source = f"urn:malmo:source:ed-{tag}"
    key = await register_source(registry, source)

    async def submit(external_id, starts, revision=1):
        period = {"start": starts.isoformat(), "end": (starts + timedelta(days=2)).isoformat()}
        event = submission(source, external_id, revision=revision, period=period)
        r = await http.post("/v1/submissions", json=event, headers=as_source(key))
        assert r.status_code == 202, r.text
        return r.json()["initiative_id"]

    in_first = await submit("ED-1", first_starts + timedelta(days=3))
    in_second = await submit("ED-2", second_starts)
    moved = await submit("ED-3", first_starts)

    async def listed(edition_id):
        queue = (await http.get("/v1/review/queue", params={"source": source, "edition": edition_id}, headers=CURATOR)).json()["items"]
        return {i["initiative_id"] for i in queue}

    assert await listed(first) == {in_first, moved} and await listed(second) == {in_second}
    await submit("ED-3", second_starts + timedelta(days=1), revision=2)  # its period moves to the next forum period
    assert await listed(first) == {in_first} and await listed(second) == {in_second, moved}
    page = (await http.get("/v1/initiatives", params={"source": source, "edition": second}, headers=as_source(key))).json()["items"]
    assert {i["initiative_id"] for i in page} == {in_second, moved}
