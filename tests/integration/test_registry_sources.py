"""Publishers: registered, keyed, limited to their own initiatives; their rejections readable by them."""

import json
import uuid

import pytest

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.platform import as_role, as_source, eventually, register_source, service_fixture, submission

CURATOR = as_role(Role.curator)


registry = service_fixture("registry", create_app, RegistrySettings, "rs")


def new_source() -> str:
    return f"urn:malmo:source:rs-{uuid.uuid4().hex[:6]}"


async def rejections(registry, source, headers=CURATOR, n=1):
    async def check():
        r = await registry.http["registry"].get(f"/v1/sources/{source}/rejections", headers=headers)
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        return items if len(items) >= n else None

    return await eventually(check, what=f"{n} rejections of {source}")


async def test_a_kafka_message_from_an_unregistered_source_is_rejected_with_that_reason(registry):
    source = new_source()
    event = submission(source, "U-1")
    await registry.kafka.send("registry.submissions.v1", json.dumps(event).encode(), key="U-1")
    [rejection] = await rejections(registry, source)
    assert [(r["field"], r["code"]) for r in rejection["reasons"]] == [("source", "unregistered_source")]
    assert json.loads(rejection["original"]["value_text"]) == event, "the original message, verbatim"
    r = await registry.http["registry"].get("/v1/lookup", params={"source": source, "external_id": "U-1"}, headers=CURATOR)
    assert r.status_code == 404


async def test_a_source_reads_its_own_rejections_newest_first_with_field_and_reason(registry):
    source = new_source()
    key = await register_source(registry, source)
    await registry.kafka.send("registry.submissions.v1", json.dumps(submission(source, "V-1", themes=["weather"])).encode(), key="V-1")
    await registry.kafka.send("registry.submissions.v1", json.dumps(submission(source, "V-2", districts=["atlantis"])).encode(), key="V-1")
    items = await rejections(registry, source, as_source(key), n=2)
    assert [(r["reasons"][0]["field"], r["reasons"][0]["code"]) for r in items] == [
        ("data.districts.0", "unknown_code"),
        ("data.themes.0", "unknown_code"),
    ]
    other_key = await register_source(registry, new_source())
    r = await registry.http["registry"].get(f"/v1/sources/{source}/rejections", headers=as_source(other_key))
    assert r.status_code == 403


async def test_over_rest_an_unknown_code_is_a_422_naming_the_field(registry):
    source = new_source()
    key = await register_source(registry, source)
    r = await registry.http["registry"].post("/v1/submissions", json=submission(source, "V-3", accessibility=["teleport"]), headers=as_source(key))
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "data.accessibility.0" and r.json()["detail"][0]["code"] == "unknown_code"


async def test_keys_rotate_and_revoke_and_a_deactivated_source_is_refused_everywhere(registry):
    source = new_source()
    first = await register_source(registry, source)
    http = registry.http["registry"]
    r = await http.post(f"/v1/sources/{source}/keys", headers=as_source(first))
    assert r.status_code == 201
    second, first_id = r.json()["api_key"], first.split("_")[1]
    assert "sha256" not in json.dumps(r.json()), "hashes never leave the registry"
    assert (await http.delete(f"/v1/sources/{source}/keys/{first_id}", headers=as_source(second))).status_code == 200
    assert (await http.post("/v1/submissions", json=submission(source, "K-1"), headers=as_source(first))).status_code == 401
    assert (await http.post("/v1/submissions", json=submission(source, "K-1"), headers=as_source(second))).status_code == 202

    assert (await http.patch(f"/v1/sources/{source}", json={"active": False}, headers=CURATOR)).json()["active"] is False
    assert (await http.post("/v1/submissions", json=submission(source, "K-2"), headers=as_source(second))).status_code == 401
    await registry.kafka.send("registry.submissions.v1", json.dumps(submission(source, "K-3")).encode(), key="K-3")
    [rejection] = await rejections(registry, source)
    assert rejection["reasons"][0]["code"] == "inactive_source"


async def test_registering_twice_is_409_and_an_invalid_registration_names_the_field(registry):
    source = new_source()
    await register_source(registry, source)
    body = {"source": source, "kind": "political", "name": {"sv": "X", "en": "X"}}
    r = await registry.http["registry"].post("/v1/sources", json=body, headers=CURATOR)
    assert r.status_code == 409 and r.json()["detail"][0]["field"] == "source"
    r = await registry.http["registry"].post("/v1/sources", json={**body, "source": new_source(), "kind": "company"}, headers=CURATOR)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "kind"


# ---- the authorisation matrix: every write endpoint × anonymous, wrong source, right source, curator ----

WHO = ("anonymous", "wrong_source", "right_source", "curator")
# endpoint → expected status for each caller in WHO's order
MATRIX = {
    "submit": (401, 403, 202, 403),
    "review": (401, 403, 403, 200),
    "register_source": (401, 403, 403, 201),
    "change_source": (401, 403, 403, 200),
    "add_key": (401, 403, 201, 201),
    "revoke_key": (401, 403, 200, 200),
    "put_term": (401, 403, 403, 200),
    "retire_term": (401, 403, 403, 200),
    "read_rejections": (401, 403, 200, 200),
}


@pytest.mark.parametrize("endpoint", list(MATRIX))
async def test_authorisation_matrix(registry, endpoint):
    http = registry.http["registry"]
    for who, expected in zip(WHO, MATRIX[endpoint], strict=True):
        source = new_source()
        key = await register_source(registry, source)
        wrong = await register_source(registry, new_source())
        headers = {"anonymous": {}, "wrong_source": as_source(wrong), "right_source": as_source(key), "curator": CURATOR}[who]
        iid = (await http.post("/v1/submissions", json=submission(source, "M-1"), headers=as_source(key))).json()["initiative_id"]
        extra_key = (await http.post(f"/v1/sources/{source}/keys", headers=CURATOR)).json()["key_id"]
        code = f"t{uuid.uuid4().hex[:8]}"
        await http.put(f"/v1/vocabularies/themes/terms/{code}", json={"labels": {"sv": "Test", "en": "Test"}}, headers=CURATOR)
        request = {
            "submit": lambda: http.post("/v1/submissions", json=submission(source, "M-2"), headers=headers),
            "review": lambda: http.post(f"/v1/initiatives/{iid}/review", json={"decision": "in_review"}, headers=headers),
            "register_source": lambda: http.post("/v1/sources", json={"source": new_source(), "kind": "other", "name": {"sv": "N", "en": "N"}}, headers=headers),
            "change_source": lambda: http.patch(f"/v1/sources/{source}", json={"kafka_principal": "User:x"}, headers=headers),
            "add_key": lambda: http.post(f"/v1/sources/{source}/keys", headers=headers),
            "revoke_key": lambda: http.delete(f"/v1/sources/{source}/keys/{extra_key}", headers=headers),
            "put_term": lambda: http.put(f"/v1/vocabularies/themes/terms/{code}", json={"labels": {"sv": "Ny", "en": "New"}}, headers=headers),
            "retire_term": lambda: http.delete(f"/v1/vocabularies/themes/terms/{code}", headers=headers),
            "read_rejections": lambda: http.get(f"/v1/sources/{source}/rejections", headers=headers),
        }[endpoint]
        r = await request()
        assert r.status_code == expected, f"{endpoint} as {who}: {r.status_code} {r.text}"
