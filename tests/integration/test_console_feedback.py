"""The console's feedback pages against the real notifications service (and the real registry for
signing in), both on real ports: a curator reads an initiative's comments and releases one; a POST
without the form's token does nothing; other roles get the not-allowed page and change nothing."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient

from services.notifications.domain import feedback as f
from services.notifications.main import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from shared.auth import Role
from shared.db.aggregates import stored_document
from shared.envelope import new_event
from tests.console import browsing, console, csrf_of, on_a_port, registry_on_a_port, sign_in
from tests.integration.test_notifications_delivery import session
from tests.platform import STAFF_KEYS, RawKafka, as_role, as_source, eventually, register_source

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def services(infra, run_id):
    """The registry and notifications on one run's topics: notifications learns publishers' keys
    from the registry's registry.sources.v1."""
    async with registry_on_a_port(infra, f"{run_id}fb") as registry, \
            on_a_port(infra, f"{run_id}fb", notifications_app, NotificationsSettings, quiet_start_hour=24, quiet_end_hour=0) as notifications:
        yield registry, notifications, f"{run_id}fb_notifications"


async def survey_link(infra, database: str, initiative_id: str) -> str:
    """A survey link's token, made as a survey makes it: a random token whose hash is a slot."""
    token = f.new_token()
    slot = f.new_slot({"session_id": f"s-{initiative_id}", "initiative_id": initiative_id, "edition_id": "e-1"}, datetime.now(UTC).date())
    mongo = AsyncMongoClient(infra.mongodb, tz_aware=True)
    try:
        await mongo[database]["feedback_slots"].insert_one(stored_document(f.slot_id(token), dict(slot)))
    finally:
        await mongo.close()
    return token


async def answer_with(infra, services, initiative_id: str, comment: str, score: int = 4) -> str:
    """A survey link answered through the public page; the answer's id as curators see it."""
    _, notifications, database = services
    token = await survey_link(infra, database, initiative_id)
    sent = await notifications.http.post(f"/feedback/{token}", data={"lang": "sv", "score": str(score), "comment": comment})
    assert sent.status_code == 200, sent.text
    listed = await notifications.http.get("/v1/feedback/comments", params={"initiative_id": initiative_id}, headers=as_role(Role.curator))
    return next(c["id"] for c in listed.json()["comments"] if c["comment"] == comment)


def app_of(services):
    registry, notifications, _ = services
    return console(registry.url, notifications_url=notifications.url)


async def released(services, initiative_id: str) -> dict[str, bool]:
    _, notifications, _ = services
    listed = await notifications.http.get("/v1/feedback/comments", params={"initiative_id": initiative_id}, headers=as_role(Role.curator))
    return {c["comment"]: c["released"] for c in listed.json()["comments"]}


async def test_a_curator_reads_an_initiatives_comments_and_releases_one(infra, services):
    iid = f"i-{uuid.uuid4().hex[:6]}"
    first = await answer_with(infra, services, iid, "Mycket bra samtal")
    await answer_with(infra, services, iid, "För kort tid", score=2)
    async with browsing(app_of(services)) as client:
        await sign_in(client, STAFF_KEYS[Role.curator])
        home = await client.get("/")
        assert '<a href="/feedback">Synpunkter</a>' in home.text
        empty = await client.get("/feedback")
        assert empty.status_code == 200 and 'for="f-initiative"' in empty.text and "Mycket bra" not in empty.text
        page = await client.get("/feedback", params={"initiative": iid})
        assert page.status_code == 200 and "Mycket bra samtal" in page.text and "För kort tid" in page.text
        assert page.text.count("Släpp till arrangören") == 2
        done = await client.post(f"/feedback/{first}/release", data={"csrf": csrf_of(page.text), "initiative": iid})
        assert done.status_code == 303 and done.headers["location"] == f"/feedback?initiative={iid}#c-{first}"
        after = await client.get("/feedback", params={"initiative": iid})
        assert after.text.count("Släpp till arrangören") == 1 and "släppt" in after.text
        english = await client.get("/feedback", params={"initiative": iid, "lang": "en"})
        assert "Release to the organiser" in english.text
    assert await released(services, iid) == {"Mycket bra samtal": True, "För kort tid": False}


async def test_a_release_without_the_forms_token_does_nothing(infra, services):
    iid = f"i-{uuid.uuid4().hex[:6]}"
    answer = await answer_with(infra, services, iid, "Utan token")
    async with browsing(app_of(services)) as client:
        await sign_in(client, STAFF_KEYS[Role.curator])
        refused = await client.post(f"/feedback/{answer}/release", data={"initiative": iid})
        assert refused.status_code == 403
    assert await released(services, iid) == {"Utan token": False}


async def test_other_roles_get_the_not_allowed_page_and_release_nothing(infra, services):
    iid = f"i-{uuid.uuid4().hex[:6]}"
    answer = await answer_with(infra, services, iid, "Bara för handläggare")
    async with browsing(app_of(services)) as client:
        await sign_in(client, STAFF_KEYS[Role.scheduler])
        assert "/feedback" not in (await client.get("/")).text
        page = await client.get("/feedback", params={"initiative": iid})
        assert page.status_code == 403 and "Bara för handläggare" not in page.text
        form = await client.get("/feedback")
        tried = await client.post(f"/feedback/{answer}/release", data={"csrf": csrf_of(form.text), "initiative": iid})
        assert tried.status_code == 403
    assert await released(services, iid) == {"Bara för handläggare": False}


async def test_an_organiser_reads_the_released_comments_of_its_own_initiative(infra, run_id, services):
    registry, notifications, _ = services
    uri = f"urn:malmo:source:fb-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry.http, uri, kind="civil_society", name="Föreningen Tal")
    iid = f"i-{uuid.uuid4().hex[:6]}"
    # notifications' copy of the initiative's session names its publisher
    held = session(f"s-{iid}", "e-1", datetime.now(UTC) - timedelta(days=2)).model_copy(update={"initiative_id": iid, "source": uri})
    async with RawKafka(infra.kafka, f"{run_id}fb.") as kafka:
        await kafka.send("scheduling.sessions.v1", new_event(held, source="urn:malmo:oppna:scheduling", subject=held.session_id).to_bytes(), key=held.session_id)
    shown = await answer_with(infra, services, iid, "Släppt till er")
    await answer_with(infra, services, iid, "Inte släppt")
    assert (await notifications.http.post(f"/v1/feedback/comments/{shown}/release", headers=as_role(Role.curator))).status_code == 200

    async def known():
        r = await notifications.http.get("/v1/feedback/comments", params={"initiative_id": iid}, headers=as_source(key))
        return r.status_code == 200

    await eventually(known, what="notifications to know the publisher's key and its session")
    async with browsing(app_of(services)) as client:
        await sign_in(client, key)
        assert '<a href="/feedback">Synpunkter</a>' in (await client.get("/")).text
        page = await client.get("/feedback", params={"initiative": iid})
        assert page.status_code == 200 and "Släppt till er" in page.text and "Inte släppt" not in page.text
        assert "Släpp till arrangören" not in page.text
        another = await client.get("/feedback", params={"initiative": f"i-{uuid.uuid4().hex[:6]}"})
        assert another.status_code == 403
