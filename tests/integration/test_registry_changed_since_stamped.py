"""The work list's "changed since stamped": initiatives approved at some point and revised after
their latest stamp, found by the lifted ``changed_since_stamp`` field (an equality the database
answers), whether the revision kept the stamp or lifted it."""

import uuid

from pymongo import AsyncMongoClient

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.platform import as_role, as_source, register_source, service_fixture, submission

CURATOR = as_role(Role.curator)

registry = service_fixture("registry", create_app, RegistrySettings, "cs")


async def publish(registry, key, event) -> str:
    r = await registry.http["registry"].post("/v1/submissions", json=event, headers=as_source(key))
    assert r.status_code == 202, r.text
    return r.json()["initiative_id"]


async def approve(registry, initiative_id) -> None:
    for decision in ("in_review", "approved"):
        r = await registry.http["registry"].post(f"/v1/initiatives/{initiative_id}/review", json={"decision": decision, "comment": "OK"},
                                                 headers=CURATOR)
        assert r.status_code == 200, r.text


async def stamped_then_revised(registry, external_id: str, **changes) -> tuple[str, str]:
    """A new source's initiative, approved at revision 1, then revision 2 with ``changes``: (source, id)."""
    source = f"urn:malmo:source:cs-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry, source)
    iid = await publish(registry, key, submission(source, external_id))
    await approve(registry, iid)
    await publish(registry, key, submission(source, external_id, revision=2, **changes))
    return source, iid


async def queue(registry, **params) -> dict[str, dict]:
    r = await registry.http["registry"].get("/v1/review/queue", params=params, headers=CURATOR)
    assert r.status_code == 200, r.text
    return {i["initiative_id"]: i for i in r.json()["items"]}


async def test_a_stamped_initiative_revised_after_its_stamp_is_listed_and_the_others_are_not(registry):
    source = f"urn:malmo:source:cs-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry, source)
    typo, retitled, untouched, never = [await publish(registry, key, submission(source, x)) for x in ("CS-TYPO", "CS-TITLE", "CS-SAME", "CS-NEVER")]
    for iid in (typo, retitled, untouched):
        await approve(registry, iid)
    await publish(registry, key, submission(source, "CS-TYPO", revision=2, description={"sv": "Rättat stavfel."}))  # keeps the stamp
    await publish(registry, key, submission(source, "CS-TITLE", revision=2, title={"sv": "En ny titel"}))  # lifts it
    await publish(registry, key, submission(source, "CS-NEVER", revision=2, title={"sv": "Aldrig stämplad"}))

    changed = await queue(registry, source=source, changed_since_stamped="true")
    assert set(changed) == {typo, retitled}, "stamped and revised since; not the untouched stamp, not the never stamped"
    assert changed[typo]["status"] == "approved" and changed[retitled]["status"] == "submitted"
    assert changed[typo]["stamped_revision"] == 1 and changed[typo]["revision"] == 2

    assert set(await queue(registry, source=source, changed_since_stamped="true", status="approved")) == {typo}
    assert set(await queue(registry, source=source, changed_since_stamped="false")) == {retitled, never}, "false: no filter"
    waiting = await queue(registry, source=source)
    assert waiting[never]["stamped_revision"] is None and waiting[retitled]["stamped_revision"] == 1


async def test_a_new_stamp_on_the_revision_takes_it_off_the_list(registry):
    source, iid = await stamped_then_revised(registry, "CS-AGAIN", title={"sv": "Omdöpt"})
    assert iid in await queue(registry, source=source, changed_since_stamped="true")
    await approve(registry, iid)
    assert await queue(registry, source=source, changed_since_stamped="true") == {}, "stamped again at revision 2: nothing newer"


async def test_the_filter_is_a_lifted_field_the_database_finds_by(registry):
    _, iid = await stamped_then_revised(registry, "CS-LIFT", description={"sv": "Ny beskrivning."})
    settings = registry.settings["registry"]
    client = AsyncMongoClient(registry.infra.mongodb, timeoutMS=20000)
    try:
        doc = await client[settings.mongodb_database]["initiatives"].find_one({"_id": iid}, {"changed_since_stamp": 1})
        assert doc["changed_since_stamp"] is True
        indexes = [i["key"] async for i in await client[settings.mongodb_database]["initiatives"].list_indexes()]
        assert any(next(iter(k)) == "changed_since_stamp" for k in indexes)
    finally:
        await client.close()


async def test_the_openapi_document_describes_the_filter(registry):
    spec = (await registry.http["registry"].get("/openapi.json")).json()
    params = {p["name"]: p for p in spec["paths"]["/v1/review/queue"]["get"]["parameters"]}
    assert params["changed_since_stamped"]["schema"]["type"] == "boolean"
    assert "newer than their latest stamp" in params["changed_since_stamped"]["description"]
