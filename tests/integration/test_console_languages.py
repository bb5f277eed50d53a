"""Languages as data in the console, against the real registry (on a real port): a curator labels
a term in every platform language and makes a language a platform language (endonym, direction,
the flag); the registry's refusals stand beside their fields; the console's own language menu is
the platform languages it has labels for, each written in its direction."""

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from services.console.api import pages
from shared.auth import Role
from tests.console import Clock, browsing, console, csrf_of, registry_on_a_port, sign_in
from tests.platform import STAFF_KEYS, register_source

CURATOR_KEY = STAFF_KEYS[Role.curator]


@pytest.fixture(scope="module")
async def registry(infra, run_id):
    async with registry_on_a_port(infra, f"{run_id}cl") as r:
        yield r


@contextlib.asynccontextmanager
async def curator(registry) -> AsyncIterator[httpx.AsyncClient]:
    async with browsing(console(registry.url)) as client:
        await sign_in(client, CURATOR_KEY)
        yield client


async def vocabulary(registry, name: str) -> dict:
    return (await registry.http.get(f"/v1/vocabularies/{name}")).json()


async def test_a_curator_labels_a_term_in_arabic(registry):
    async with curator(registry) as client:
        page = await client.get("/vocabularies?lang=en&vocabulary=themes&code=inclusion#term-h")
        assert 'for="f-voc_label_ar">Label (Arabic)</label>' in page.text and 'name="voc_label_ar" type="text" value="الإدماج"' in page.text, "the seeded Arabic label, to change"
        form = {"csrf": csrf_of(page.text), "voc_vocabulary": "themes", "voc_code": "inclusion", "voc_label_sv": "Inkludering",
                "voc_label_en": "Inclusion", "voc_label_ar": "الشمول"}
        r = await client.post("/vocabularies/terms", data=form)
        assert r.status_code == 303 and r.headers["location"] == "/vocabularies#voc-themes"
        assert (await vocabulary(registry, "themes"))["inclusion"] == {"labels": {"sv": "Inkludering", "en": "Inclusion", "ar": "الشمول"},
                                                                       "retired": False}
        shown = await client.get("/vocabularies")
        assert '<td lang="ar" dir="rtl">الشمول</td>' in shown.text


async def test_a_curator_makes_persian_a_platform_language_and_takes_it_off_again(registry):
    async with curator(registry) as client:
        page = await client.get("/vocabularies?vocabulary=languages&code=fa")
        assert 'value="فارسی"' in page.text and '<option value="rtl" selected>' in page.text
        form = {"csrf": csrf_of(page.text), "voc_vocabulary": "languages", "voc_code": "fa", "voc_label_sv": "persiska",
                "voc_label_en": "Persian", "voc_endonym": "فارسی", "voc_direction": "rtl", "voc_platform": "true"}
        assert (await client.post("/vocabularies/terms", data=form)).status_code == 303
        fa = (await vocabulary(registry, "languages"))["fa"]
        assert (fa["endonym"], fa["direction"], fa["platform"]) == ("فارسی", "rtl", True)
        page = await client.get("/vocabularies?lang=en")
        assert 'for="f-voc_label_fa">Label (Persian)</label>' in page.text, "a platform language: its labels are edited too"
        del form["voc_platform"]
        assert (await client.post("/vocabularies/terms", data=form)).status_code == 303
        assert (await vocabulary(registry, "languages"))["fa"]["platform"] is False
        assert 'f-voc_label_fa' not in (await client.get("/vocabularies")).text


async def test_a_languages_field_on_a_theme_is_refused_beside_it(registry):
    before = await vocabulary(registry, "themes")
    async with curator(registry) as client:
        page = await client.get("/vocabularies?lang=en")
        form = {"csrf": csrf_of(page.text), "voc_vocabulary": "themes", "voc_code": "democracy", "voc_label_sv": "Demokrati",
                "voc_label_en": "Democracy", "voc_endonym": "Demos"}
        r = await client.post("/vocabularies/terms", data=form)
        assert r.status_code == 422 and 'id="f-voc_endonym-error"' in r.text and 'aria-describedby="f-voc_endonym-error"' in r.text
        r = await client.post("/vocabularies/terms", data={**form, "voc_endonym": "", "voc_platform": "true"})
        assert r.status_code == 422 and 'id="f-voc_platform-error"' in r.text
    assert await vocabulary(registry, "themes") == before


async def test_a_sources_key_may_not_change_a_language(registry):
    key = await register_source(registry.http, "urn:malmo:source:cl-lang", name="Språk")
    async with browsing(console(registry.url)) as client:
        await sign_in(client, key)
        home = await client.get("/")
        r = await client.post("/vocabularies/terms", data={"csrf": csrf_of(home.text), "voc_vocabulary": "languages", "voc_code": "fa",
                                                           "voc_label_sv": "persiska", "voc_label_en": "Persian", "voc_platform": "true"})
        assert r.status_code == 403 and "Inte tillåtet" in r.text
    assert not (await vocabulary(registry, "languages"))["fa"].get("platform")


async def test_the_console_offers_the_platform_languages_it_has_labels_for(registry, monkeypatch):
    clock = Clock()
    app = console(registry.url, clock)
    async with browsing(app) as client:
        await app.state.vocabularies.current()
        page = await client.get("/signin", headers={"accept-language": "ar-SE, en;q=0.8"})
        assert '<html lang="en" dir="ltr">' in page.text, "Arabic is a platform language, but the console has no Arabic labels"
        assert ">Svenska</a>" in page.text and ">English</a>" in page.text and "العربية" not in page.text
        # an Arabic label set is data: the same words, for this test, in a file of its own
        monkeypatch.setitem(pages.LABELS, "ar", {**pages.LABELS["en"], "_name": "Arabic labels"})
        page = await client.get("/signin", headers={"accept-language": "ar-SE, en;q=0.8"})
        assert '<html lang="ar" dir="rtl">' in page.text, "direction from the languages vocabulary"
        assert 'lang="ar" hreflang="ar" dir="rtl" aria-current="true">العربية</a>' in page.text, "named by its endonym"
        assert page.text.index(">Svenska</a>") < page.text.index(">English</a>") < page.text.index(">العربية</a>")
        monkeypatch.setitem(pages.LABELS, "fa", {**pages.LABELS["en"], "_name": "Persian labels"})
        assert "فارسی" not in (await client.get("/signin")).text, "labels but not a platform language"
        fa = (await vocabulary(registry, "languages"))["fa"]
        r = await registry.http.put("/v1/vocabularies/languages/terms/fa", json={**fa, "platform": True}, headers={"authorization": f"Bearer {CURATOR_KEY}"})
        assert r.status_code == 200
        clock.now += 61
        await app.state.vocabularies.current()
        page = await client.get("/signin?lang=fa")
        assert '<html lang="fa" dir="rtl">' in page.text and ">فارسی</a>" in page.text, "a fourth language: data only"
        r = await registry.http.put("/v1/vocabularies/languages/terms/fa", json={**fa, "platform": False}, headers={"authorization": f"Bearer {CURATOR_KEY}"})
        assert r.status_code == 200
