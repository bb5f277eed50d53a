"""Report reminders and a survey link's end, on the real engines with the service's clock moved:
14 days after an initiative's last session its organiser is reminded, once more 14 days later,
never after a report came; a survey link answers 410 after its 30 days."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.notifications.usecases.clock import utcnow
from shared.events.initiatives import InitiativeContactRecordedV1
from shared.events.reports import ReportFigures, ReportStateV1
from tests.integration.test_notifications_delivery import edition, notifications_env, session, stored_messages, uid
from tests.integration.test_notifications_feedback import held, link_in_mail
from tests.platform import eventually

pytestmark = pytest.mark.integration
REGISTRY = "urn:malmo:oppna:registry"


@pytest.fixture
async def env(infra, run_id):
    async with notifications_env(infra, f"{run_id}m{uuid.uuid4().hex[:4]}") as e:
        e.ahead = timedelta(0)
        e.app.state.clock.source = lambda: utcnow() + e.ahead
        yield e


def reminders(env, address: str) -> list:
    return [m for m in env.smtp.to(address) if m["Subject"].startswith("Påminnelse: återrapportera")]


async def _async(value):
    return value


async def organiser(env, iid: str, ends_at: datetime, contact: bool = True) -> str:
    address = f"{iid}@example.org"
    if contact:
        await tell_contact(env, iid)
    ed, sid = uid("ed"), uid("s")
    await env.publish("scheduling.sessions.v1", edition(ed), ed)
    await env.publish("scheduling.sessions.v1", session(sid, ed, ends_at - timedelta(hours=2)).model_copy(update={"initiative_id": iid}), sid)
    return address


async def tell_contact(env, iid: str) -> None:
    contact = InitiativeContactRecordedV1(initiative_id=iid, version=1, contact={"name": "Programansvarig", "email": f"{iid}@example.org"})
    await env.publish("registry.contacts.v1", contact, iid, source=REGISTRY)


def report(iid: str) -> ReportStateV1:
    return ReportStateV1(initiative_id=iid, source="urn:malmo:source:test", version=1, revision=1, status="submitted",
                         figures=ReportFigures(participants=12, spent_sek=1000))


async def _planned(env, iid: str) -> dict | None:
    return await env.db["report_reminders"].find_one({"_id": iid, "state.due_at": {"$ne": None}})


async def test_an_organiser_is_reminded_twice_unless_a_report_came(env):
    ended = datetime.now(UTC) - timedelta(hours=1)
    quiet, reporting = uid("i"), uid("i")
    quiet_mail = await organiser(env, quiet, ended)
    reporting_mail = await organiser(env, reporting, ended)
    await env.publish("registry.reports.v1", report(reporting), reporting, source=REGISTRY)
    await eventually(lambda: _planned(env, quiet), what="the reminder planned")
    await eventually(lambda: _reported(env, reporting), what="the report taken in")
    await asyncio.sleep(1.0)
    assert reminders(env, quiet_mail) == []

    env.ahead = timedelta(days=14, hours=1)
    [first] = await eventually(lambda: _async(reminders(env, quiet_mail)), what="the first reminder")
    assert "English:" in next(p for p in first.walk() if p.get_content_type() == "text/plain").get_content()
    await asyncio.sleep(1.5)
    assert len(reminders(env, quiet_mail)) == 1 and reminders(env, reporting_mail) == []

    env.ahead = timedelta(days=28, hours=1)
    await eventually(lambda: _async(len(reminders(env, quiet_mail)) == 2), what="the second reminder")
    env.ahead = timedelta(days=60)
    await asyncio.sleep(1.5)
    assert len(reminders(env, quiet_mail)) == 2 and reminders(env, reporting_mail) == []


async def _reported(env, iid: str) -> bool:
    doc = await env.db["report_reminders"].find_one({"_id": iid})
    return bool(doc and doc["state"]["reported"])


async def test_a_survey_link_closes_after_thirty_days(env):
    rid = uid("r")
    await held(env, uid("i"), [{"rid": rid, "channel": "email", "attended": True, "email": f"{rid}@example.org", "language": "en"}])
    url, _, _ = await eventually(lambda: _async(link_in_mail(env, f"{rid}@example.org")), what="the survey email")
    assert (await env.http.get(f"{url}?lang=en&score=3")).status_code == 200
    env.ahead = timedelta(days=31)
    page = await env.http.get(f"{url}?lang=en&score=3")
    assert page.status_code == 410 and "closed" in page.text
    assert (await env.http.post(url, data={"lang": "en", "score": "3"})).status_code == 410


async def test_a_reminder_waiting_for_the_organisers_contact_is_not_sent_once_a_report_came(env):
    late = uid("i")
    address = await organiser(env, late, datetime.now(UTC) - timedelta(hours=1), contact=False)
    await eventually(lambda: _planned(env, late), what="the reminder planned")
    env.ahead = timedelta(days=14, hours=1)
    await eventually(lambda: _made(env, late), what="the first reminder made (waiting for the contact)")
    await env.publish("registry.reports.v1", report(late), late, source=REGISTRY)
    await eventually(lambda: _reported(env, late), what="the report taken in")
    await tell_contact(env, late)
    await eventually(lambda: _cancelled(env, late), what="the waiting reminder cancelled")
    assert reminders(env, address) == []


async def _made(env, iid: str) -> bool:
    doc = await env.db["report_reminders"].find_one({"_id": iid})
    return bool(doc and doc["state"]["sent"] == 1)


async def _cancelled(env, iid: str) -> bool:
    states = await stored_messages(env.db, category="report_reminder", **{"recipient.key": f"organizer:{iid}"})
    return bool(states) and all(s["status"] == "cancelled" and s["cancelled_because"] == "report_came" for s in states)
