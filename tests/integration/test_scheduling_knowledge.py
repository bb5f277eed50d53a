"""The public knowledge bank on the real broker and database: scheduling follows the registry's
outcome reports and shows the published ones — found by a word in another form of it (Swedish
stems), by theme (the initiative's), district reached, organiser kind, partner and edition; each
with its initiative's sessions. A report not (or no longer) published is not there; a repeated
or older event changes nothing. In Chromium: the bank and a report in Swedish, English and Arabic,
axe finds no violation."""

import uuid
from datetime import UTC, datetime

import pytest

from shared.envelope import new_event
from shared.events.reports import ReportStateV1
from tests.browser import chromium
from tests.console_scheduling import scheduling_on_a_port
from tests.e2e.test_console_browser import violations
from tests.integration.test_scheduling_support import published_session, publish_initiative, uid
from tests.platform import eventually
from tests.scheduling_language_support import offered_in, publish_platform_vocabularies

REGISTRY = "urn:malmo:oppna:registry"


@pytest.fixture(scope="module")
async def bank(infra, run_id):
    async with scheduling_on_a_port(infra, f"{run_id}kb") as (sched, kafka):
        await publish_platform_vocabularies(kafka)
        await offered_in(sched.http, "ar", "/knowledge")
        yield sched, kafka


def report(initiative_id: str, version: int, status: str = "published", **content) -> ReportStateV1:
    body = {"what_happened": {"sv": "Vi höll samtalen i biblioteket med föreningarna i Rosengård.",
                              "en": "We held the talks in the library with the associations of Rosengård."},
            "worked": {"sv": "Att bjuda in via skolorna."}, "participants": 45, "districts": ["rosengard"], "target_groups": [],
            "partners": [{"name": "Rosengårds bibliotek", "kind": "administration"}],
            "materials": [{"title": "Samtalsguide", "url": "https://example.org/guide.pdf"}], "spent_sek": 12000, **content}
    published = status == "published"
    return ReportStateV1(initiative_id=initiative_id, source="urn:malmo:source:test", edition_id="om-kb", version=version, revision=1,
                         status=status, figures={"participants": 45, "spent_sek": 12000},
                         title={"sv": f"Samtal {initiative_id[:6]}", "en": f"Talk {initiative_id[:6]}"} if published else None,
                         content=body if published else None, published_at=datetime.now(UTC).isoformat() if published else None)


async def tell(kafka, data: ReportStateV1) -> None:
    await kafka.send("registry.reports.v1", new_event(data, source=REGISTRY, subject=data.initiative_id).to_bytes(), key=data.initiative_id)


async def listed(sched, **params) -> str:
    return (await sched.http.get("/knowledge", params=params)).text


async def test_published_reports_are_found_by_word_forms_and_filters_with_their_sessions(bank):
    sched, kafka = bank
    session = await published_session(sched.http, kafka, 20)  # a stamped initiative (civil society, democracy) and its session
    ours, draft = session["initiative_id"], uid()
    await publish_initiative(kafka, draft)
    await tell(kafka, report(ours, 3))
    await tell(kafka, report(draft, 1, status="submitted"))
    title = f"Samtal {ours[:6]}"

    async def shown():
        return title in await listed(sched) or None

    await eventually(shown, what="the bank to show the published report")
    page = await listed(sched)
    assert f"Samtal {draft[:6]}" not in page, "a report not yet published is not in the bank"
    for params in ({"q": "samtal förening"}, {"q": "biblioteket"}, {"q": "associations", "lang": "en"}, {"theme": "democracy"},
                   {"district": "rosengard"}, {"organizer_kind": "civil_society"}, {"partner": "rosengårds bibliotek"}, {"edition": "om-kb"}):
        assert title in await listed(sched, **params) or f"Talk {ours[:6]}" in await listed(sched, **params), params
    for params in ({"q": "fotboll"}, {"theme": "anti_racism"}, {"organizer_kind": "administration"}, {"edition": "om-other"}):
        assert title not in await listed(sched, **params), params

    one = (await sched.http.get(f"/knowledge/{ours}")).text
    assert "Att bjuda in via skolorna." in one and 'href="https://example.org/guide.pdf"' in one
    assert f'href="/programme/sessions/{session["session_id"]}?lang=sv"' in one, "the report links its initiative's sessions"
    english = (await sched.http.get(f"/knowledge/{ours}", params={"lang": "en"})).text
    assert "We held the talks" in english and "This text is shown in Swedish." in english, "what worked is in Swedish only"

    await tell(kafka, report(ours, 2, status="published", worked={"sv": "Äldre version."}))  # older: changes nothing
    await tell(kafka, report(ours, 4, status="in_review"))  # revised after publication: off the record

    async def gone():
        return title not in await listed(sched) or None

    await eventually(gone, what="the revised report to leave the bank")
    assert (await sched.http.get(f"/knowledge/{ours}")).status_code == 404


async def test_the_bank_and_a_report_have_no_accessibility_violation(bank):
    sched, kafka = bank
    initiative_id = uid()
    await publish_initiative(kafka, initiative_id)
    await tell(kafka, report(initiative_id, 1, what_happened={"sv": f"Ett möte {uuid.uuid4().hex[:4]}.", "en": "A meeting."}))

    async def there():
        return (await sched.http.get(f"/knowledge/{initiative_id}")).status_code == 200 or None

    await eventually(there, what="the report in the bank")
    async with chromium() as browser:
        page = await browser.new_page(locale="sv-SE")
        for path in ("/knowledge", f"/knowledge/{initiative_id}", "/knowledge?lang=en&q=meeting", f"/knowledge/{initiative_id}?lang=en",
                     "/knowledge?lang=ar", f"/knowledge/{initiative_id}?lang=ar"):
            await page.goto(f"{sched.url}{path}")
            assert await violations(page) == [], path
        await page.close()
