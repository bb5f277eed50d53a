"""Reporting's follow-up on the real broker and database: grant books, outcome reports and feedback
in (with repeats and older versions), figures, exports and the follow-up page out — suppressed for
the public, whole for analysts, and no free text of a report or comment kept."""

import csv
import io
import uuid

import pytest
from pymongo import AsyncMongoClient

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from shared.envelope import Envelope, new_event
from shared.events.feedback import FeedbackAnsweredV1, FeedbackCommentReleasedV1
from shared.events.grants import GrantsChangedV1
from shared.events.reports import ReportStateV1
from shared.events.scheduling import EditionPlannedV1
from tests.integration.test_reporting_service import EDITION, REGISTRY, T0, edition, initiative_state, registry_event, send
from tests.platform import Platform, as_role, eventually
from tests.vocabulary_events import publish_vocabularies

INITIATIVES = 8  # ini-0 … ini-7, approved; ini-0 … ini-5 report, every one granted 50,000 but ini-7 (so not followed up)
SECRET = "Anna Andersson på Lönngatan 3"  # free text: must never reach reporting's database


@pytest.fixture(scope="module")
async def reporting(infra):
    async with Platform.start(infra, f"rf{uuid.uuid4().hex[:8]}", reporting=(create_app, ReportingSettings)) as p:
        yield p


def grants(version: int, granted: dict[str, int]) -> Envelope:
    data = GrantsChangedV1(edition_id=EDITION, version=version, budget_sek=3_780_000, granted=granted, granted_sek=sum(granted.values()))
    return new_event(data, source=REGISTRY, subject=EDITION, time=T0)


def report(n: int, version: int, participants: int, status: str = "submitted") -> Envelope:
    figures = {"participants": participants, "spent_sek": 40_000, "target_groups": ["youth"], "districts": ["rosengard"],
               "partner_kinds": ["civil_society"] if n % 2 else ["administration"]}
    content = {"what_happened": {"sv": SECRET}, "participants": participants, "spent_sek": 40_000} if status == "published" else None
    data = ReportStateV1(initiative_id=f"ini-{n}", source="urn:malmo:source:org0", edition_id=EDITION, version=version, revision=1,
                         status=status, figures=figures, content=content, title={"sv": f"Initiativ {n}"} if content else None)
    return new_event(data, source=REGISTRY, subject=data.initiative_id, time=T0)


def answer(n: int, k: int) -> Envelope:
    data = FeedbackAnsweredV1(session_id=f"ses-{n}", initiative_id=f"ini-{n}", edition_id=EDITION, answered_on="2025-10-09",
                              score=4 if k % 2 else 5, would_come_again=k % 4 != 0, commented=k == 0)
    return new_event(data, source="urn:malmo:oppna:notifications", subject=data.session_id, time=T0)


def comment(n: int) -> Envelope:
    data = FeedbackCommentReleasedV1(comment_id=f"c-{n}", session_id=f"ses-{n}", initiative_id=f"ini-{n}", edition_id=EDITION, text=SECRET)
    return new_event(data, source="urn:malmo:oppna:notifications", subject=data.session_id, time=T0)


async def publish_the_follow_up(p) -> None:
    """Eight approved initiatives with their reports, grants and feedback; repeats and older versions."""
    await send(p, "scheduling.sessions.v1", edition(EditionPlannedV1, 1))
    for n in range(INITIATIVES):
        await send(p, "registry.initiatives.v1", registry_event("approved", initiative_state(n, 3, "approved")))
    await send(p, "registry.grants.v1", grants(2, {f"ini-{n}": 50_000 for n in range(7)}), times=2)
    await send(p, "registry.grants.v1", grants(1, {"ini-0": 3_000_000}))  # older: changes nothing
    for n in range(6):
        await send(p, "registry.reports.v1", report(n, 2, participants=25, status="published"))
        await send(p, "registry.reports.v1", report(n, 1, participants=1))  # older: changes nothing
        for k in range(4):
            await send(p, "notifications.feedback.v1", answer(n, k), times=2 if k == 0 else 1)  # a repeat counts once
    await send(p, "notifications.feedback.v1", comment(0), times=2)


async def follow_up_counted(p) -> dict | None:
    r = await p.http["reporting"].get(f"/v1/analyst/editions/{EDITION}/figures/follow_up", headers=as_role(Role.analyst))
    if r.status_code != 200:
        return None
    total = r.json()["tables"]["organizer_kind"]["total"]["values"]
    return total if total["answers"] == 24 and total["reported"] == 6 and total["granted"] == 7 and total["comments_released"] == 1 else None


@pytest.fixture(scope="module")
async def followed(reporting):
    await publish_vocabularies(reporting.kafka)  # the platform's languages: the pages in English too
    await publish_the_follow_up(reporting)
    counted = await eventually(lambda: follow_up_counted(reporting), timeout=60, what="reporting to follow grants, reports and feedback")
    await eventually(lambda: _english_offered(reporting), timeout=60, what="reporting to follow the languages vocabulary")
    return counted


async def _english_offered(reporting) -> bool:
    return 'lang="en"' in (await reporting.http["reporting"].get("/follow-up", params={"lang": "en"})).text


async def test_events_in_figures_out_each_counted_once(reporting, followed):
    assert followed["in_follow_up"] == 7 and followed["granted_sek"] == 350_000 and followed["spent_sek"] == 240_000
    assert followed["participants_reported"] == 150 and followed["joint"] == 3  # the odd ones name a partner of another kind
    assert followed["mean_score"] == 4.5 and followed["would_come_again"] == 18 and followed["answers_per_session"] == 4.0
    public = (await reporting.http["reporting"].get(f"/v1/editions/{EDITION}/figures/follow_up", params={"dimension": "district"})).json()
    assert public["budget"]["granted_sek"] == 350_000 and public["budget"]["remaining_sek"] == 3_780_000 - 350_000
    total = public["tables"]["district"]["total"]
    assert total["values"]["joint"] is None and "joint" in total["masked"]  # three: small
    assert total["values"]["answers"] == 24


async def test_exports_and_the_page_show_the_follow_up(reporting, followed):
    http = reporting.http["reporting"]
    r = await http.get(f"/v1/editions/{EDITION}/export.csv", params={"area": "follow_up", "dimension": "target_group", "lang": "sv"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert r.status_code == 200 and "Beviljat belopp (kr)" in rows[0] and rows[-1][0] == "Totalt"
    stat = (await http.get(f"/v1/editions/{EDITION}/jsonstat", params={"area": "follow_up", "dimension": "theme", "lang": "en"})).json()
    assert stat["class"] == "dataset" and "mean_score" in stat["dimension"]["measure"]["category"]["index"]
    for lang, title in (("sv", "Uppföljning av Öppna Malmö"), ("en", "Follow-up of Open Malmö")):
        page = await http.get("/follow-up", params={"edition": EDITION, "lang": lang})
        assert page.status_code == 200 and title in page.text and "@media print" in page.text
    assert (await http.get("/follow-up", params={"edition": "om-1999"})).status_code == 404
    bad = await http.get(f"/v1/editions/{EDITION}/figures/no_such_area")
    assert bad.status_code == 422 and "follow_up" in bad.json()["detail"][0]["message"]


async def test_no_free_text_of_a_report_or_a_comment_is_kept(reporting, followed, infra):
    client = AsyncMongoClient(infra.mongodb, timeoutMS=10000)
    try:
        db = client[reporting.settings["reporting"].mongodb_database]
        for name in await db.list_collection_names():
            async for doc in db[name].find({}):
                assert "Lönngatan" not in str(doc), name
    finally:
        await client.close()
