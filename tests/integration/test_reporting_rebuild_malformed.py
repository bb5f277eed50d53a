"""Malformed messages on reporting's topics: the rebuild treats each as the live service did.

Live, a message that is not a CloudEvent is dead-lettered, and so is an event whose handler fails
on it (here an initiative whose organizer is a string, not an object) after its retries; neither
counts. The rebuild must skip the same messages, not fail on them, and end in the same figures.
"""

import uuid

import pytest

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from shared.events.scheduling import EditionUpdatedV1
from tests.integration.test_reporting_service import EDITION, analyst, edition, initiative_state, registry_event, send
from tests.platform import Platform, as_role, eventually


@pytest.fixture(scope="module")
async def reporting(infra):
    async with Platform.start(infra, f"rm{uuid.uuid4().hex[:8]}", reporting=(create_app, ReportingSettings)) as p:
        yield p


async def submitted(p) -> int | None:
    try:
        ini = await analyst(p, f"/v1/analyst/editions/{EDITION}/figures/initiatives", dimension="origin")
    except AssertionError:
        return None
    return ini["tables"]["origin"]["total"]["values"]["submitted"]


async def test_the_rebuild_skips_what_the_live_service_dead_lettered_and_ends_equal(reporting):
    p = reporting
    await send(p, "scheduling.sessions.v1", edition(EditionUpdatedV1, 1))
    for n in range(3):
        await send(p, "registry.initiatives.v1", registry_event("registered", initiative_state(n, 1, "submitted")))
    topic = "registry.initiatives.v1"
    # Valid as an event, but the projection cannot read it: live retries it, then dead-letters it.
    broken = initiative_state(9, 1, "submitted")
    broken["content"]["organizer"] = "Kulturförvaltningen"
    await send(p, topic, registry_event("review_started", broken))  # by name: no model checks its content
    await p.kafka.send(topic, b"not json at all", key="x")
    tab = registry_event("registered", initiative_state(8, 1, "submitted")).to_bytes().replace(b"Initiativ 8", b"Initiativ\t8")
    await p.kafka.send(topic, tab, key="ini-8")  # a raw control character in a string: not JSON
    # A byte order mark before a valid event: JSON all the same, counted live and in the replay.
    await p.kafka.send(topic, b"\xef\xbb\xbf" + registry_event("registered", initiative_state(3, 1, "submitted")).to_bytes(), key="ini-3")
    await send(p, topic, registry_event("registered", initiative_state(4, 1, "submitted")))

    await eventually(lambda: _is(submitted(p), 5), timeout=60, what="reporting to count the five valid initiatives")
    letters = await p.kafka.read("reporting.deadletter.v1", until=lambda ms: len(ms) >= 3, timeout=60)
    assert sorted(m["type"].rsplit(".", 2)[-2] for m in letters) == ["failed", "rejected", "rejected"]

    r = await p.http["reporting"].post("/v1/rebuild", headers=as_role(Role.analyst), timeout=120)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["equal"] is True and body["differences"] == []
    assert (body["events"], body["skipped"]) == (6, 3)  # the edition and five initiatives; three dead letters
    assert body["rebuilt"] == body["live"] and body["live"]["initiatives"] == 5
    assert body["database"] is None  # not kept: nothing written


async def _is(value, expected):
    got = await value
    return got if got == expected else None


async def test_a_kept_rebuild_holds_every_rebuilt_summary_in_its_database(reporting):
    from services.reporting.adapters.stores import COLLECTIONS
    from shared.db.client import make_client

    r = await reporting.http["reporting"].post("/v1/rebuild", params={"keep": "true"}, headers=as_role(Role.analyst), timeout=120)
    assert r.status_code == 200, r.text
    body = r.json()
    client = make_client(reporting.settings["reporting"])
    try:
        db = client[body["database"]]
        stored = {kind: await db[c].count_documents({}) for kind, c in COLLECTIONS.items()}
        assert stored == body["rebuilt"]
    finally:
        await client.drop_database(body["database"])
        await client.close()
