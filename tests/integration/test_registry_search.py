"""Finding initiatives (filters, free text, cursor pages) and vocabularies that are data."""

import json
import uuid

import pytest

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.platform import as_role, as_source, register_source, service_fixture, submission

CURATOR = as_role(Role.curator)


registry = service_fixture("registry", create_app, RegistrySettings, "rq")


@pytest.fixture(scope="module")
async def published(registry):
    """Five initiatives of one source, different in every filtered field."""
    source = f"urn:malmo:source:rq-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry, source, kind="civil_society")
    rows = {
        "A": dict(themes=["democracy"], districts=["rosengard"], origin="new", period={"start": "2025-10-01", "end": "2025-10-05"}, title={"sv": "Demokrativerkstad", "en": "Democracy workshop"}),
        "B": dict(themes=["anti_racism"], districts=["hyllie"], origin="existing", period={"start": "2025-10-10", "end": "2025-10-12"}, target_groups=["youth"], title={"sv": "Ungas röster mot rasism", "en": "Young voices"}),
        "C": dict(themes=["human_rights"], districts=["centrum"], languages=["sv", "uk"], period={"start": "2025-11-01", "end": "2025-11-30"}, title={"sv": "Rättigheter på ukrainska"}),
        "D": dict(themes=["inclusion"], districts=["fosie"], organizer={"kind": "political", "name": "Malmö ungdomsråd"}, period={"start": "2025-12-01", "end": "2025-12-02"}, title={"sv": "Öppet möte"}, description={"sv": "Om skolval och delaktighet", "en": "About school elections"}),
        "E": dict(themes=["democracy", "participation"], districts=["husie"], period=None, title={"sv": "Samtal"}),
    }
    ids = {}
    for name, overrides in rows.items():
        data = {k: v for k, v in overrides.items() if v is not None}
        event = submission(source, f"S-{name}", **data)
        if overrides.get("period", "") is None:
            del event["data"]["period"]
        r = await registry.http["registry"].post("/v1/submissions", json=event, headers=as_source(key))
        assert r.status_code == 202, r.text
        ids[r.json()["initiative_id"]] = name
    return source, ids


async def find(registry, source, ids, **params) -> list[str]:
    r = await registry.http["registry"].get("/v1/initiatives", params={"source": source, **params}, headers=CURATOR)
    assert r.status_code == 200, r.text
    return sorted(ids[i["initiative_id"]] for i in r.json()["items"])


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ["A", "B", "C", "D", "E"]),
        ({"theme": "democracy"}, ["A", "E"]),
        ({"district": "hyllie"}, ["B"]),
        ({"target_group": "youth"}, ["B"]),
        ({"language": "uk"}, ["C"]),
        ({"origin": "existing"}, ["B"]),
        ({"organizer_kind": "political"}, ["D"]),
        ({"status": "submitted"}, ["A", "B", "C", "D", "E"]),
        ({"status": "approved"}, []),
        ({"period_from": "2025-10-04", "period_to": "2025-10-10"}, ["A", "B"]),
        ({"period_from": "2025-11-15"}, ["C", "D"]),
        ({"period_to": "2025-10-03"}, ["A"]),
        ({"q": "rasism"}, ["B"]),
        ({"q": "school elections"}, ["D"]),
        ({"q": "UKRAINSKA"}, ["C"]),
        ({"q": "demokrati", "theme": "democracy"}, ["A", "E"]),  # E: in its summary
        ({"q": "demokrativerkstad"}, ["A"]),
    ],
)
async def test_filters_find_exactly_the_matching_initiatives(registry, published, params, expected):
    source, ids = published
    assert await find(registry, source, ids, **params) == expected


async def test_cursor_pages_cover_everything_once(registry, published):
    source, ids = published
    for params in ({"limit": 2}, {"limit": 1, "q": "a"}):
        seen, cursor = [], None
        for _ in range(10):
            r = await registry.http["registry"].get("/v1/initiatives", params={"source": source, **params, **({"cursor": cursor} if cursor else {})}, headers=CURATOR)
            body = r.json()
            seen += [i["initiative_id"] for i in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)), "no initiative twice"
        expected = 5 if "q" not in params else len(await find(registry, source, ids, q="a"))
        assert len(seen) == expected


async def test_a_cursor_the_list_did_not_give_out_is_a_422_naming_the_field(registry):
    r = await registry.http["registry"].get("/v1/initiatives", params={"cursor": "999:not-ours"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "cursor"


async def test_an_inverted_period_is_a_422_naming_the_field(registry):
    r = await registry.http["registry"].get("/v1/initiatives", params={"period_from": "2025-10-10", "period_to": "2025-10-01"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "period_to"


async def test_vocabularies_are_seeded_with_labels_and_curators_extend_and_retire_terms(registry):
    http = registry.http["registry"]
    vocab = (await http.get("/v1/vocabularies")).json()
    assert set(vocab) == {"themes", "target_groups", "districts", "languages", "accessibility"}
    assert vocab["districts"]["rosengard"]["labels"] == {"sv": "Rosengård", "en": "Rosengård", "ar": "روزنغورد"}
    assert vocab["themes"]["human_rights"]["labels"]["sv"] == "Mänskliga rättigheter"

    source = f"urn:malmo:source:rq-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry, source)
    r = await http.put("/v1/vocabularies/themes/terms/climate_justice", json={"labels": {"sv": "Klimaträttvisa", "en": "Climate justice"}}, headers=CURATOR)
    assert r.status_code == 200
    older = submission(source, "VOC-1", themes=["climate_justice"])
    assert (await http.post("/v1/submissions", json=older, headers=as_source(key))).status_code == 202

    assert (await http.delete("/v1/vocabularies/themes/terms/climate_justice", headers=CURATOR)).json()["climate_justice"]["retired"] is True
    r = await http.post("/v1/submissions", json=submission(source, "VOC-2", themes=["climate_justice"]), headers=as_source(key))
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "retired_code"
    revised = submission(source, "VOC-1", revision=2, themes=["climate_justice", "democracy"])
    assert (await http.post("/v1/submissions", json=revised, headers=as_source(key))).status_code == 202, "a retired code keeps old initiatives valid"
    state = (await http.get("/v1/lookup", params={"source": source, "external_id": "VOC-1"}, headers=CURATOR)).json()
    assert state["revision"] == 2 and "climate_justice" in state["content"]["themes"]

    r = await http.put("/v1/vocabularies/themes/terms/Bad-Code", json={"labels": {"sv": "x", "en": "x"}}, headers=CURATOR)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "code"
    assert (await http.get("/v1/vocabularies/colours")).status_code == 404


async def test_the_registry_serves_its_committed_contracts(registry):
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "contracts" / "registry"
    http = registry.http["registry"]
    served = await http.get("/v1/contracts/asyncapi.json")
    assert served.status_code == 200 and served.json() == json.loads((folder / "asyncapi.json").read_text())
    name = "se.malmo.oppna.initiative.approved.v1"
    served = await http.get(f"/v1/contracts/schemas/{name}.json")
    assert served.json() == json.loads((folder / "schemas" / f"{name}.json").read_text())
    assert (await http.get("/v1/contracts/schemas/se.malmo.oppna.nothing.v1.json")).status_code == 404
