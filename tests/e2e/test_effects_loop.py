"""Issue 27's loop through the whole platform, every service on its real port over the real broker
and database, one run's topics: a stamped initiative's session is held and both registrants are
checked in at the door → the morning after, the survey reaches one by email at the local mailbox
and the other by SMS at the local gateway → both answer through their links (a second answer is
refused) → the organiser files an outcome report, a curator publishes it → the knowledge bank
finds it by a word in another form and by its theme → a curator grants money → reporting's
figures, exports and follow-up page show the feedback, the grant and the spending, with the
public figures suppressed where counts are small and the analyst's not. Then nothing in any
notifications collection or on the feedback topic leads from an answer back to a registration.

Time: the session starts half a minute from now and ends half a minute later (so the registry
takes a report once it has started); notifications' clock is then moved two days on, so the
survey due "the morning after" goes out now.
"""

import contextlib
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.registry.main import create_app as registry_app
from services.registry.settings import RegistrySettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.scheduling.main import create_app as scheduling_app
from shared.auth import Role
from tests.console import on_a_port
from tests.integration.test_notifications_delivery import notifications_env
from tests.integration.test_notifications_feedback import link_in_mail, link_in_sms, phone
from tests.integration.test_scheduling_support import DoorOpensDaysAhead, days_ahead
from tests.platform import as_role, as_source, eventually, register_source, submission

CURATOR, SCHEDULER, ANALYST = as_role(Role.curator), as_role(Role.scheduler), as_role(Role.analyst)


@pytest.fixture(scope="module")
async def platform4(infra, run_id):
    run = f"{run_id}ef"
    async with contextlib.AsyncExitStack() as stack:
        registry = await stack.enter_async_context(on_a_port(infra, run, registry_app, RegistrySettings))
        sched = await stack.enter_async_context(on_a_port(infra, run, scheduling_app, DoorOpensDaysAhead))
        reporting = await stack.enter_async_context(on_a_port(infra, run, reporting_app, ReportingSettings))
        notifications = await stack.enter_async_context(notifications_env(infra, run, drop=False))
        yield registry, sched, notifications, reporting


async def stamped_initiative(registry, sched) -> tuple[str, str, str]:
    """A city administration's initiative in this edition's days, approved: (uri, key, id)."""
    uri = f"urn:malmo:source:ef-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry.http, uri, kind="administration", name="Kulturförvaltningen")
    period = {"start": days_ahead(0).date().isoformat(), "end": days_ahead(2).date().isoformat()}
    r = await registry.http.post("/v1/submissions", json=submission(uri, "EF-1", period=period, themes=["democracy"],
                                                                   title={"sv": "Samtal om demokrati", "en": "Talks on democracy"}),
                                 headers=as_source(key))
    assert r.status_code == 202, r.text
    iid = r.json()["initiative_id"]
    for decision in ("in_review", "approved"):
        assert (await registry.http.post(f"/v1/initiatives/{iid}/review", json={"decision": decision, "comment": "Bra"},
                                         headers=CURATOR)).status_code == 200

    async def copied():
        c = await sched.http.get(f"/v1/initiatives/{iid}")
        return c.status_code == 200 and c.json().get("stamped")

    await eventually(copied, what="scheduling to hear of the stamp")
    return uri, key, iid


async def held_session(sched, iid: str, eid: str) -> tuple[dict, list[dict]]:
    """An online session starting in 30 s and ending 30 s later, two registrants (email, SMS), both checked in."""
    now = datetime.now(UTC).replace(microsecond=0)
    body = {"edition_id": eid, "initiative_id": iid, "capacity": 10, "online_url": "https://meet.example.org/om",
            "starts_at": (now + timedelta(seconds=30)).isoformat(), "ends_at": (now + timedelta(seconds=60)).isoformat()}
    r = await sched.http.post("/v1/sessions", json=body, headers=SCHEDULER)
    assert r.status_code == 201, r.text
    session = r.json()["session"]
    assert (await sched.http.post(f"/v1/sessions/{session['session_id']}/publish", headers=SCHEDULER)).status_code == 200
    people = [{"name": "Amina", "email": f"amina-{uuid.uuid4().hex[:6]}@example.org", "language": "sv"},
              {"name": "Omar", "phone": phone(), "language": "ar"}]
    for person in people:
        r = await sched.http.post(f"/v1/sessions/{session['session_id']}/registrations", json=person)
        assert r.status_code == 201, r.text
        checked = await sched.http.post(f"/v1/sessions/{session['session_id']}/check-in", json={"code": r.json()["code"]}, headers=SCHEDULER)
        assert checked.status_code == 200 and checked.json()["checked_in_now"], checked.text
        person["registration_id"] = r.json()["registration_id"]
    return session, people


async def test_held_sessions_feedback_reports_grants_and_the_follow_up(platform4):
    registry, sched, notifications, reporting = platform4
    eid = f"ed-{uuid.uuid4().hex[:8]}"
    edition = {"edition_id": eid, "name": {"sv": "Öppna Malmö", "en": "Open Malmö"}, "year": days_ahead(0).year,
               "starts_on": days_ahead(0).date().isoformat(), "ends_on": days_ahead(3).date().isoformat(), "budget_sek": 100_000}
    assert (await sched.http.post("/v1/editions", json=edition, headers=SCHEDULER)).status_code == 201
    uri, key, iid = await stamped_initiative(registry, sched)
    session, (amina, omar) = await held_session(sched, iid, eid)

    ends_at = datetime.fromisoformat(session["ends_at"])
    await eventually(lambda: _after(ends_at), timeout=90, what="the session to end")
    notifications.app.state.clock.source = lambda: datetime.now(UTC) + timedelta(days=2)  # the morning after has come

    mail = await eventually(lambda: _async(link_in_mail(notifications, amina["email"])), timeout=60, what="the survey at the mailbox")
    sms = await eventually(lambda: _async(link_in_sms(notifications, omar["phone"])), timeout=60, what="the survey at the SMS gateway")
    assert mail[2] == "sv" and sms[2] == "ar", "each in the registrant's language"
    for (url, _token, lang), score in ((mail, 5), (sms, 4)):
        assert (await notifications.http.get(f"{url}?lang={lang}&score={score}")).status_code == 200, "the link opens the form"
        sent = await notifications.http.post(url, data={"lang": lang, "score": str(score), "would_come_again": "yes", "comment": "Bra samtal"})
        assert sent.status_code == 200, sent.text
    again = await notifications.http.post(mail[0], data={"lang": "sv", "score": "1"})
    assert again.status_code == 409, "one answer per registration: a second is refused"

    report = {"revision": 1, "what_happened": {"sv": "Vi höll samtalen med föreningarna i Rosengård.", "en": "We held the talks."},
              "participants": 2, "districts": ["rosengard"], "partners": [{"name": "Föreningen Ljus i Rosengård", "kind": "civil_society"}],
              "spent_sek": 12_000}
    filed = await registry.http.post(f"/v1/initiatives/{iid}/report", json=report, headers=as_source(key))
    assert filed.status_code in (200, 202), filed.text
    for decision in ("in_review", "published"):
        r = await registry.http.post(f"/v1/reports/{iid}/review", json={"decision": decision, "comment": "Tack"}, headers=CURATOR)
        assert r.status_code == 200, r.text
    granted = await registry.http.put(f"/v1/editions/{eid}/grants/{iid}", json={"amount_sek": 20_000}, headers=CURATOR)
    assert granted.status_code == 200, granted.text
    over = await registry.http.put(f"/v1/editions/{eid}/grants/{iid}", json={"amount_sek": 100_001}, headers=CURATOR)
    assert over.status_code == 409 and over.json()["detail"][0]["field"] == "amount_sek"

    async def in_the_bank():
        by_word = (await sched.http.get("/knowledge", params={"q": "föreningarna samtal"})).text
        by_theme = (await sched.http.get("/knowledge", params={"theme": "democracy", "edition": eid})).text
        return "Samtal om demokrati" in by_word and "Samtal om demokrati" in by_theme or None

    await eventually(in_the_bank, timeout=60, what="the knowledge bank to find the report by a word and a theme")

    async def followed_up():
        r = await reporting.http.get(f"/v1/analyst/editions/{eid}/figures/follow_up", headers=ANALYST)
        total = _total(r.json()) if r.status_code == 200 else {}
        wanted = {"answers": 2, "granted_sek": 20_000, "spent_sek": 12_000}
        return total if all(total.get(k) == v for k, v in wanted.items()) else None

    total = await eventually(followed_up, timeout=60, what="reporting's follow-up to count the answers, the grant and the spending")
    assert total["mean_score"] == 4.5 and total["would_come_again"] == 2
    assert total["joint"] == 1, "a city administration's initiative with an association as partner is joint work"
    public = _total((await reporting.http.get(f"/v1/editions/{eid}/figures/follow_up")).json())
    assert public.get("answers") != 2 and public.get("mean_score") != 4.5, f"two answers are a small count: suppressed in public {public}"
    page = re.sub(r"[\u00a0\u202f]|&nbsp;|&#8239;", " ", (await reporting.http.get("/follow-up", params={"edition": eid})).text)  # Swedish digit groups
    assert "100 000" in page and "Beviljat och förbrukat mot budgeten" in page, "the follow-up page: the budget, and the grant against it"
    assert "20 000" not in page and "12 000" not in page and ">..<" in page, "one granted initiative is a small count: its sums shown as '..'"
    assert (await reporting.http.get(f"/v1/editions/{eid}/export.csv", params={"area": "follow_up", "dimension": "theme"})).status_code == 200

    await _no_answer_leads_back(notifications, [amina, omar], [mail[1], sms[1]])


async def _after(moment: datetime):
    return datetime.now(UTC) > moment or None


async def _async(value):
    return value


def _total(figures: dict) -> dict:
    """The area's totals (each table's total row is the same; the first one's values)."""
    tables = list((figures.get("tables") or {}).values())
    return tables[0]["total"]["values"] if tables else {}


async def _no_answer_leads_back(notifications, people: list[dict], tokens: list[str]) -> None:
    """Every notifications document that holds an answer names no registration, address, number or token."""
    secrets = [p["registration_id"] for p in people] + [p.get("email") or p.get("phone") for p in people] + tokens
    for name in await notifications.db.list_collection_names():
        async for doc in notifications.db[name].find({}):
            text = repr(doc)
            if "Bra samtal" in text or "would_come_again" in text:
                assert not any(s in text for s in secrets), f"{name}: an answer beside something of the person"
    slots = [repr(d) async for d in notifications.db["feedback_slots"].find({})]
    assert slots and not any(t in slot for slot in slots for t in tokens), "only the tokens' hashes are kept"
