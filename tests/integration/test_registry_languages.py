"""The languages vocabulary as the platform's list of languages: seeded with each language's name
in itself, its direction and whether it is a platform language; curators change them (and label
every term in any language) through the term API, and followers are told."""

import pytest

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.platform import as_role, service_fixture

CURATOR = as_role(Role.curator)

registry = service_fixture("registry", create_app, RegistrySettings, "lg")


async def terms(registry, name: str) -> dict:
    r = await registry.http["registry"].get(f"/v1/vocabularies/{name}")
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_fresh_database_has_swedish_english_and_arabic_as_platform_languages(registry):
    languages = await terms(registry, "languages")
    assert [code for code, term in languages.items() if term.get("platform")] == ["sv", "en", "ar"]
    assert languages["ar"] | {"labels": None} == {"labels": None, "retired": False, "endonym": "العربية", "direction": "rtl", "platform": True}
    assert (languages["so"]["endonym"], languages["so"].get("platform"), languages["yi"]["direction"]) == ("Soomaali", None, "rtl")


async def test_a_curator_makes_persian_a_platform_language(registry):
    http = registry.http["registry"]
    fa = (await terms(registry, "languages"))["fa"]
    r = await http.put("/v1/vocabularies/languages/terms/fa", json={**fa, "platform": True}, headers=CURATOR)
    assert r.status_code == 200, r.text
    assert r.json()["fa"] == {**fa, "platform": True}
    assert (await terms(registry, "languages"))["fa"]["platform"] is True
    r = await http.put("/v1/vocabularies/languages/terms/fa", json={**fa, "platform": False, "endonym": "Fârsi"}, headers=CURATOR)
    assert r.status_code == 200 and (await terms(registry, "languages"))["fa"] | {"labels": None} == {
        "labels": None, "retired": False, "endonym": "Fârsi", "direction": "rtl", "platform": False}


async def test_labels_in_every_language_of_the_vocabulary(registry):
    http = registry.http["registry"]
    labels = {"sv": "Demokrati", "en": "Democracy", "ar": "الديمقراطية", "fa": "دموکراسی", "so": "Dimuqraadiyad"}
    r = await http.put("/v1/vocabularies/themes/terms/democracy", json={"labels": labels}, headers=CURATOR)
    assert r.status_code == 200, r.text
    assert (await terms(registry, "themes"))["democracy"]["labels"] == labels


async def test_a_languages_field_on_another_vocabulary_is_refused_naming_it(registry):
    http = registry.http["registry"]
    before = await terms(registry, "themes")
    for field, value in (("endonym", "Democracy"), ("direction", "rtl"), ("platform", True)):
        r = await http.put("/v1/vocabularies/themes/terms/democracy", json={"labels": {"sv": "Demokrati", "en": "Democracy"}, field: value},
                           headers=CURATOR)
        assert r.status_code == 422 and r.json()["detail"] == [{"field": field, "code": "languages_only", "message": r.json()["detail"][0]["message"]}]
    r = await http.put("/v1/vocabularies/themes/terms/climate", json={"labels": {"sv": "Klimat", "en": "Climate", "xx": "?"}}, headers=CURATOR)
    assert r.status_code == 422 and [(d["field"], d["code"]) for d in r.json()["detail"]] == [("labels.xx", "unknown_language")]
    assert await terms(registry, "themes") == before, "nothing changed"


async def test_only_curators_change_a_language(registry):
    http = registry.http["registry"]
    body = {"labels": {"sv": "persiska", "en": "Persian"}, "endonym": "فارسی", "direction": "rtl", "platform": True}
    assert (await http.put("/v1/vocabularies/languages/terms/fa", json=body)).status_code == 401
    assert (await http.put("/v1/vocabularies/languages/terms/fa", json=body, headers=as_role(Role.scheduler))).status_code == 403
