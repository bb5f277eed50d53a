"""Notifications over the real Kafka and FerretDB, delivering to a real SMTP server (aiosmtpd) and a
real local HTTP SMS gateway. Upstream events (scheduling, registry) are published here by the
test itself, on this module's own topic prefix: nothing depends on the scheduling service.
"""

import asyncio
import contextlib
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from pymongo import AsyncMongoClient

from services.notifications.devservers import SmsGateway, SmtpSink, free_port
from services.notifications.domain.pages import items_of
from services.notifications.render import format_when
from services.notifications.main import create_app
from services.notifications.settings import NotificationsSettings
from shared.auth import Role
from shared.envelope import new_event
from shared.events import scheduling as ev
from shared.events.initiatives import InitiativeContactRecordedV1
from shared.events.vocabularies import VOCABULARY_NAMES
from shared.kafka.topic_admin import delete_prefixed_topics
from tests.platform import RawKafka, as_role, eventually, settings_for
from tests.vocabulary_events import publish_vocabularies

pytestmark = pytest.mark.integration
SCHED = "urn:malmo:oppna:scheduling"


class Env:
    def __init__(self, http, kafka, smtp, sms, settings, db):
        self.http, self.kafka, self.smtp, self.sms, self.settings, self.db = http, kafka, smtp, sms, settings, db
        self.app = None  # set by notifications_env: its clock may be moved (app.state.clock.source)

    async def publish(self, topic: str, data, subject: str, event_id: str | None = None, source: str = SCHED) -> dict:
        event = new_event(data, source=source, subject=subject, event_id=event_id)
        await self.kafka.send(topic, event.to_bytes(), key=subject)
        return event.model_dump(mode="json")

    async def message_states(self, **filters) -> list[dict]:
        return await stored_messages(self.db, **filters)


async def stored_messages(db, **filters) -> list[dict]:
    """The states of the stored messages matching ``filters`` (paths into a message's state, dotted),
    each message kept in a page (services/notifications/domain/pages.py): read as a whole."""

    def at(state: dict, path: str):
        for part in path.split("."):
            state = (state or {}).get(part)
        return state

    pages = [d["state"] async for d in db["messages"].find({}, {"state": 1})]
    return [s for page in pages for s in items_of(page).values() if all(at(s, k) == v for k, v in filters.items())]


@contextlib.asynccontextmanager
async def notifications_env(infra, prefix: str, smtp: SmtpSink | None = None, drop: bool = True, vocabularies: bool = True, **overrides):
    """Notifications on a port with its SMTP sink and SMS gateway; ``vocabularies``: the registry's
    seeded vocabularies published first and followed (the platform's languages: without them every
    message is in Swedish, the base language)."""
    own_smtp = smtp is None
    smtp = smtp or SmtpSink().start()
    sms = SmsGateway()
    port = free_port()
    settings = settings_for(
        NotificationsSettings, infra, prefix,
        **{"http_port": port, "public_base_url": f"http://127.0.0.1:{port}",
           "smtp_port": smtp.port, "sms_gateway_url": sms.url,
           "timer_interval_s": 0.2, "change_debounce_s": 1.0, "send_backoff_s": 0.1, "send_max_attempts": 3,
           "digest_period_override_s": 1.0, "quiet_start_hour": 24, "quiet_end_hour": 0, "token_secret": "integration-secret",
           **overrides},  # an override replaces any of these (e.g. public_base_url)
    )
    sms.webhook_url = f"http://127.0.0.1:{port}/v1/sms/receipts"
    sms.webhook_secret = settings.sms_webhook_secret
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    mongo = AsyncMongoClient(infra.mongodb, timeoutMS=20000, tz_aware=True)
    try:
        async with sms.running():
            task = asyncio.create_task(server.serve())
            try:
                await eventually(lambda: _started(server), timeout=60, what="notifications to start")
                async with RawKafka(infra.kafka, f"{prefix}.") as kafka, httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
                    env = Env(http, kafka, smtp, sms, settings, mongo[settings.mongodb_database])
                    env.app = app
                    if vocabularies:
                        await publish_vocabularies(kafka)
                        await eventually(lambda: _followed(env), what="notifications to follow the registry's vocabularies")
                    yield env
            finally:
                server.should_exit = True
                await task
    finally:
        if own_smtp:
            smtp.stop()
        if not drop:
            await mongo.close()
            return
        await mongo.drop_database(settings.mongodb_database)
        await mongo.close()
        await delete_prefixed_topics(infra.kafka, f"{prefix}.")


async def _started(server) -> bool:
    return server.started


@pytest.fixture(scope="module")
async def env(infra, run_id):
    async with notifications_env(infra, f"{run_id}n{uuid.uuid4().hex[:4]}") as e:  # the vocabularies followed: interests are checked against them
        yield e


async def _followed(env) -> bool:
    return await env.db["vocabularies"].count_documents({}) == len(VOCABULARY_NAMES)


def edition(edition_id: str, hours: int = 24) -> ev.EditionPlannedV1:
    return ev.EditionPlannedV1(edition_id=edition_id, version=1, name={"sv": "Öppna Malmö 2025"}, year=2025, starts_on="2025-10-06", ends_on="2025-10-19",
                               budget_sek=3780000, reminder_hours_before=hours, status="planning")


def session(session_id: str, edition_id: str, starts_at: datetime, version: int = 1, cls=ev.SessionPublishedV1, status: str = "published", **kw):
    return cls(
        session_id=session_id, version=version, edition_id=edition_id, initiative_id="i-1", source="urn:malmo:source:test",
        title={"sv": f"Demokratisamtal {session_id}", "en": f"Democracy talk {session_id}", "ar": "حوار حول الديمقراطية"},
        organizer={"kind": "administration", "name": "Kulturförvaltningen"}, themes=["democracy"], districts=["rosengard"], languages=["sv", "ar"],
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
        venue={"venue_id": "v1", "name": "Rosengårds bibliotek", "address": "Amiralsgatan 35", "district": "rosengard"},
        capacity=30, registration_required=True, status=status, **kw,
    )


def registration(reg_id: str, session_id: str, edition_id: str, cls=ev.RegistrationConfirmedV1, status="confirmed", channel="email", language="sv", version=1, **kw):
    return cls(registration_id=reg_id, version=version, session_id=session_id, edition_id=edition_id, status=status, party_size=1,
               language=language, channel=channel, registered_at=datetime.now(UTC), **kw)


def contact(reg_id: str, session_id: str, email: str | None = None, phone: str | None = None, language="sv"):
    return ev.RegistrationContactRecordedV1(registration_id=reg_id, session_id=session_id, name="Anna Andersson", email=email, phone=phone,
                                            language=language, manage_url=f"https://oppna.malmo.se/r/{reg_id}")


async def _registered(env, ed: str, sid: str, rid: str, starts_at: datetime, *, hours: int = 24, email: str | None = None,
                      phone: str | None = None, language: str = "sv", channel: str = "email"):
    """An edition, its session starting at ``starts_at``, the registrant's contact and the confirmed
    registration, published in that order; the registration's published event."""
    await env.publish("scheduling.sessions.v1", edition(ed, hours=hours), ed)
    await env.publish("scheduling.sessions.v1", session(sid, ed, starts_at), sid)
    await env.publish("scheduling.contacts.v1", contact(rid, sid, email=email, phone=phone, language=language), rid)
    return await env.publish("scheduling.registrations.v1", registration(rid, sid, ed, channel=channel, language=language), rid)


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_a_confirmed_registration_is_emailed_once_with_ics_and_unsubscribe_headers_and_counted(env):
    ed, sid, rid = uid("ed"), uid("s"), uid("r")
    address = f"{rid}@example.org"
    reg_event = await _registered(env, ed, sid, rid, datetime.now(UTC) + timedelta(days=3), email=address, language="en")

    mails = await eventually(lambda: _async(env.smtp.to(address)), what="the confirmation email")
    await asyncio.sleep(1.0)
    # Redelivery of the trigger (same event), and the same fact again: nothing more is sent.
    await env.kafka.send("scheduling.registrations.v1", json.dumps(reg_event).encode(), key=rid)
    await asyncio.sleep(1.5)
    mails = env.smtp.to(address)
    assert len(mails) == 1, [m["Subject"] for m in mails]
    mail = mails[0]
    assert mail["Subject"] == f"You are registered: Democracy talk {sid}"
    assert mail["List-Unsubscribe"].startswith(f"<{env.settings.public_base_url}/v1/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = {p.get_content_type(): p for p in mail.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= set(parts)
    assert "Rosengårds bibliotek" in parts["text/plain"].get_content()
    assert "BEGIN:VEVENT" in parts["text/calendar"].get_content()

    [state] = await env.message_states(category="registration_confirmed", **{"recipient.key": f"registration:{rid}"})
    assert state["status"] == "sent" and state["attempts"] == 1
    # written twice — made sending, then its outcome (once more where it waited for the contact,
    # which may come after the registration) — its request and its count published by the
    # pipeline, not kept in the document for the relay to publish and mark
    page = await env.db["messages"].find_one({"_id": state["message_id"]})
    assert (page["version"], page["outbox"]) == (3 if state.get("waiting_for") else 2, [])

    emails = await env.kafka.read("notifications.email.v1", until=lambda ms: any(m["data"]["message_id"] == state["message_id"] for m in ms))
    mine = [m for m in emails if m["data"]["message_id"] == state["message_id"]]
    assert len(mine) == 1 and mine[0]["data"]["recipient"] == address and mine[0]["data"]["category"] == "registration_confirmed"
    counted = await env.kafka.read("notifications.deliveries.v1", until=lambda ms: any(m["data"]["message_id"] == state["message_id"] for m in ms))
    mine = [m["data"] for m in counted if m["data"]["message_id"] == state["message_id"]]
    assert [(c["channel"], c["language"], c["category"], c["outcome"]) for c in mine] == [("email", "en", "registration_confirmed", "sent")]
    assert all(address not in json.dumps(m) for m in counted), "reporting's topic carries no address"


async def test_the_reminder_is_durable_fires_once_and_follows_a_moved_session(env):
    ed, sid, rid = uid("ed"), uid("s"), uid("r")
    address = f"{rid}@example.org"
    start = datetime.now(UTC) + timedelta(hours=1, seconds=3)
    await _registered(env, ed, sid, rid, start, hours=1, email=address)
    await eventually(lambda: _async([m for m in env.smtp.to(address) if m["Subject"].startswith("Påminnelse")]), timeout=20, what="the reminder")
    await asyncio.sleep(1)
    assert len([m for m in env.smtp.to(address) if m["Subject"].startswith("Påminnelse")]) == 1

    # A second session moves before its reminder is due: the old reminder is dropped, a new one fires.
    sid2, rid2 = uid("s"), uid("r")
    address2 = f"{rid2}@example.org"
    start2 = datetime.now(UTC) + timedelta(hours=1, seconds=4)
    await env.publish("scheduling.sessions.v1", session(sid2, ed, start2), sid2)
    await env.publish("scheduling.contacts.v1", contact(rid2, sid2, email=address2), rid2)
    await env.publish("scheduling.registrations.v1", registration(rid2, sid2, ed), rid2)
    await eventually(lambda: _async(env.smtp.to(address2)), what="the confirmation")
    moved = start2 + timedelta(seconds=4)
    await env.publish("scheduling.sessions.v1", session(sid2, ed, moved, version=2, cls=ev.SessionRescheduledV1, status="rescheduled", previous_starts_at=start2), sid2)
    reminders = await eventually(lambda: _reminders(env, rid2, 2), timeout=20, what="two reminder documents")
    await eventually(lambda: _async([m for m in env.smtp.to(address2) if m["Subject"].startswith("Påminnelse")]), timeout=20, what="the moved reminder")
    await asyncio.sleep(1)
    statuses = sorted(r["status"] for r in await _reminders(env, rid2, 2))
    assert statuses == ["cancelled", "sent"], reminders
    assert len([m for m in env.smtp.to(address2) if m["Subject"].startswith("Påminnelse")]) == 1


async def _reminders(env, rid, n):
    found = await env.message_states(category="reminder", **{"recipient.key": f"registration:{rid}"})
    return found if len(found) >= n else None


async def test_a_reminder_survives_a_restart_and_fires_once(infra, run_id):
    prefix = f"{run_id}r{uuid.uuid4().hex[:4]}"
    smtp = SmtpSink().start()
    try:
        ed, sid, rid = uid("ed"), uid("s"), uid("r")
        address = f"{rid}@example.org"
        async with notifications_env(infra, prefix, smtp=smtp, drop=False) as first:
            await first.publish("scheduling.sessions.v1", edition(ed, hours=1), ed)
            await first.publish("scheduling.sessions.v1", session(sid, ed, datetime.now(UTC) + timedelta(hours=1, seconds=6)), sid)
            await first.publish("scheduling.contacts.v1", contact(rid, sid, email=address), rid)
            await first.publish("scheduling.registrations.v1", registration(rid, sid, ed), rid)
            await eventually(lambda: _reminders(first, rid, 1), what="the reminder to be scheduled")
        assert [m["Subject"] for m in smtp.to(address) if m["Subject"].startswith("Påminnelse")] == []
        await asyncio.sleep(3)  # the service is down when the reminder falls due
        async with notifications_env(infra, prefix, smtp=smtp, drop=False):
            await eventually(lambda: _async([m for m in smtp.to(address) if m["Subject"].startswith("Påminnelse")]), timeout=20, what="the reminder after the restart")
        async with notifications_env(infra, prefix, smtp=smtp) as third:
            await asyncio.sleep(2)
            assert len([m for m in smtp.to(address) if m["Subject"].startswith("Påminnelse")]) == 1, "not repeated by another restart"
            [state] = await third.message_states(category="reminder", **{"recipient.key": f"registration:{rid}"})
            assert state["status"] == "sent"
    finally:
        smtp.stop()


async def test_a_message_that_would_come_too_late_expires_and_is_counted(env):
    ed, sid, rid = uid("ed"), uid("s"), uid("r")
    await env.publish("scheduling.sessions.v1", session(sid, ed, datetime.now(UTC) - timedelta(minutes=5)), sid)
    await env.publish("scheduling.contacts.v1", contact(rid, sid, email=f"{rid}@example.org"), rid)
    await env.publish("scheduling.registrations.v1", registration(rid, sid, ed), rid)
    expired = await eventually(lambda: _with_status(env, rid, "expired"), what="the message to expire")
    assert env.smtp.to(f"{rid}@example.org") == []
    counted = await env.kafka.read("notifications.deliveries.v1", until=lambda ms: any(m["data"]["message_id"] == expired["message_id"] for m in ms))
    assert [m["data"]["outcome"] for m in counted if m["data"]["message_id"] == expired["message_id"]] == ["expired"]


async def _with_status(env, rid, status):
    found = await env.message_states(status=status, **{"recipient.key": f"registration:{rid}"})
    return found[0] if found else None


async def test_a_burst_of_session_edits_yields_one_change_notice(env):
    ed, sid, rid = uid("ed"), uid("s"), uid("r")
    address = f"{rid}@example.org"
    start = datetime.now(UTC) + timedelta(days=5)
    await _registered(env, ed, sid, rid, start, email=address)
    await eventually(lambda: _async(env.smtp.to(address)), what="the confirmation")
    for n in range(1, 5):
        await env.publish("scheduling.sessions.v1", session(sid, ed, start + timedelta(hours=n), version=1 + n, cls=ev.SessionRescheduledV1, status="rescheduled",
                                                              previous_starts_at=start + timedelta(hours=n - 1)), sid)
        await asyncio.sleep(0.3)
    changed = await eventually(lambda: _async([m for m in env.smtp.to(address) if m["Subject"].startswith("Ändrad")]), timeout=20, what="the change notice")
    await asyncio.sleep(2.5)
    changed = [m for m in env.smtp.to(address) if m["Subject"].startswith("Ändrad")]
    assert len(changed) == 1
    text = changed[0].get_body(("plain",)).get_content()
    # the new time and, struck through, the time before the burst, as Swedish CLDR writes them
    assert f"När: {format_when(start + timedelta(hours=4), 'sv')} (Tidigare: {format_when(start, 'sv')})" in text


async def test_a_same_day_cancellation_goes_by_sms_and_the_gateway_receipt_marks_it_delivered(env):
    ed, sid, rid = uid("ed"), uid("s"), uid("r")
    phone = f"+4670{uuid.uuid4().int % 10**7:07d}"
    start = datetime.now(UTC) + timedelta(minutes=30)
    await _registered(env, ed, sid, rid, start, phone=phone, channel="sms")
    await env.publish("scheduling.sessions.v1", session(sid, ed, start, version=2, cls=ev.SessionCancelledV1, status="cancelled", cancellation_reason="Sjukdom"), sid)
    sent = await eventually(lambda: _async([m for m in env.sms.messages.values() if m["to"] == phone and "INSTÄLLT" in m["text"]]), what="the cancellation SMS")
    assert sent[0]["encoding"] == "gsm7" and sent[0]["segments"] >= 1
    [state] = await env.message_states(category="session_cancelled", **{"recipient.key": f"registration:{rid}"})
    await eventually(lambda: _status(env, state["message_id"], "delivered"), what="the receipt to mark it delivered")


async def _status(env, message_id, status):
    found = await env.message_states(message_id=message_id, status=status)
    return found or None


async def test_a_gateway_answering_garbage_is_retried_then_dead_lettered_and_the_consumer_goes_on(env):
    ed, sid = uid("ed"), uid("s")
    await env.publish("scheduling.sessions.v1", edition(ed), ed)
    await env.publish("scheduling.sessions.v1", session(sid, ed, datetime.now(UTC) + timedelta(days=2)), sid)
    rid = uid("r")
    env.sms.behaviour = "garbage"
    try:
        await env.publish("scheduling.contacts.v1", contact(rid, sid, phone=f"+4670{uuid.uuid4().int % 10**7:07d}"), rid)
        await env.publish("scheduling.registrations.v1", registration(rid, sid, ed, channel="sms"), rid)
        failed = await eventually(lambda: _failed(env, rid), timeout=30, what="the message to fail")
        assert failed["attempts"] == 3 and "garbage" in failed["last_error"]
    finally:
        env.sms.behaviour = "ok"
    letters = await env.kafka.read("notifications.deadletter.v1", until=lambda ms: any(m["data"].get("message_id") == failed["message_id"] for m in ms))
    [letter] = [m for m in letters if m["data"].get("message_id") == failed["message_id"]]
    assert letter["type"] == "se.malmo.oppna.notification.dead_lettered.v1"
    assert "garbage" in letter["data"]["reason"] and letter["data"]["attempts"] == 3 and "recipient" not in letter["data"]
    # … and the consumer went on: the next registration is delivered.
    rid2 = uid("r")
    phone2 = f"+4670{uuid.uuid4().int % 10**7:07d}"
    await env.publish("scheduling.contacts.v1", contact(rid2, sid, phone=phone2), rid2)
    await env.publish("scheduling.registrations.v1", registration(rid2, sid, ed, channel="sms"), rid2)
    await eventually(lambda: _async([m for m in env.sms.messages.values() if m["to"] == phone2]), what="the next SMS")
    assert (await env.http.get("/readyz")).status_code == 200


async def _failed(env, rid):
    found = await env.message_states(status="failed", **{"recipient.key": f"registration:{rid}"})
    return found[0] if found else None


async def test_subscription_double_opt_in_by_email_then_a_digest_then_one_click_unsubscribe(env):
    address = f"{uid('sub')}@example.org"
    r = await env.http.post("/v1/subscriptions", json={"email": address, "language": "sv", "interests": {"themes": ["democracy"], "districts": ["rosengard"]}, "consent": True})
    assert r.status_code == 202, r.text
    sub_id = r.json()["subscription_id"]
    [mail] = await eventually(lambda: _async(env.smtp.to(address)), what="the confirmation link")
    html = mail.get_body(("html",)).get_content()
    token = html.split("/v1/subscriptions/confirm?token=")[1].split('"')[0].split("&amp;")[0]

    ed, sid = uid("ed"), uid("s")
    await env.publish("scheduling.sessions.v1", session(uid("s"), uid("ed"), datetime.now(UTC) + timedelta(days=4)), "before-confirm")
    await asyncio.sleep(1.5)
    assert len(env.smtp.to(address)) == 1, "nothing but the confirmation before opting in"

    page = await env.http.get("/v1/subscriptions/confirm", params={"token": token})
    assert page.status_code == 200 and "<form" in page.text
    r = await env.http.post("/v1/subscriptions/confirm", json={"token": token})
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    doc = await env.db["subscriptions"].find_one({"_id": sub_id})
    [consent] = doc["state"]["consents"]
    assert consent["text_version"] == env.settings.consent_text_version and consent["given_at"] and consent["confirmed_at"]

    await env.publish("scheduling.sessions.v1", edition(ed), ed)
    await env.publish("scheduling.sessions.v1", session(sid, ed, datetime.now(UTC) + timedelta(days=4)), sid)
    other = session(uid("s"), ed, datetime.now(UTC) + timedelta(days=4))
    await env.publish("scheduling.sessions.v1", other.model_copy(update={"themes": ["antisemitism"]}), other.session_id)
    digest = await eventually(lambda: _async([m for m in env.smtp.to(address) if m["Subject"].startswith("Nya aktiviteter")]), timeout=20, what="the digest")
    body = digest[0].get_body(("plain",)).get_content()
    assert sid in body and other.session_id not in body

    unsubscribe_url = digest[0]["List-Unsubscribe"].strip("<>")
    path = unsubscribe_url.replace(env.settings.public_base_url, "")
    assert (await env.http.get(path)).status_code == 200
    r = await env.http.post(path, content="List-Unsubscribe=One-Click", headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    doc = await env.db["subscriptions"].find_one({"_id": sub_id})
    assert doc["state"]["status"] == "unsubscribed" and doc["state"]["consents"][0]["withdrawn_at"]
    count = len(env.smtp.to(address))
    await env.publish("scheduling.sessions.v1", session(uid("s"), ed, datetime.now(UTC) + timedelta(days=4)), "after")
    await asyncio.sleep(2)
    assert len(env.smtp.to(address)) == count


async def test_subscription_by_sms_is_confirmed_with_a_six_digit_code(env):
    phone = f"+4673{uuid.uuid4().int % 10**7:07d}"
    r = await env.http.post("/v1/subscriptions", json={"phone": phone.replace("+46", "0"), "language": "en", "interests": {"languages": ["ar"]}, "consent": True})
    assert r.status_code == 202, r.text
    sub_id = r.json()["subscription_id"]
    [sms] = await eventually(lambda: _async([m for m in env.sms.messages.values() if m["to"] == phone]), what="the code by SMS")
    code = sms["text"].split("your code is ")[1][:6]
    wrong = "000000" if code != "000000" else "111111"
    r = await env.http.post("/v1/subscriptions/confirm", json={"subscription_id": sub_id, "code": wrong})
    assert r.status_code == 409 and r.json()["detail"][0]["field"] == "code"
    r = await env.http.post("/v1/subscriptions/confirm", json={"subscription_id": sub_id, "code": code})
    assert r.status_code == 200 and r.json()["status"] == "confirmed"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "not-an-address", "language": "sv", "consent": True}, "email"),
        ({"phone": "12345", "language": "sv", "consent": True}, "phone"),
        ({"phone": "+46401234567", "language": "sv", "consent": True}, "phone"),  # a landline cannot take SMS
        ({"email": "a@example.org", "language": "xx", "consent": True}, "language"),
        ({"email": "a@example.org", "language": "sv", "interests": {"themes": ["astrology"]}, "consent": True}, "interests.themes"),
        ({"email": "a@example.org", "language": "sv", "interests": {"districts": ["gotham"]}, "consent": True}, "interests.districts"),
        ({"email": "a@example.org", "language": "sv", "consent": False}, "consent"),
        ({"language": "sv", "consent": True}, "email"),
    ],
)
async def test_bad_subscriptions_get_4xx_naming_the_field(env, body, field):
    r = await env.http.post("/v1/subscriptions", json=body)
    assert 400 <= r.status_code < 500, r.text
    assert field in {d["field"] for d in r.json()["detail"]}, r.json()


async def test_an_organiser_hears_the_curators_decision_with_the_comment(env):
    iid = uid("ini")
    address = f"{iid}@example.org"
    state = {
        "initiative_id": iid, "source": "urn:malmo:source:test", "external_id": "KF-9", "revision": 1, "version": 3, "status": "changes_requested", "stamped": False,
        "content": {"title": {"sv": "Demokratisamtal KF-9"}, "summary": {"sv": "x"}, "organizer": {"kind": "administration", "name": "KF"}, "themes": ["democracy"], "origin": "new"},
        "received_at": datetime.now(UTC).isoformat(), "updated_at": datetime.now(UTC).isoformat(),
        "review": {"decision": "changes_requested", "comment": "Lägg till tillgänglighetsinformation.", "decided_at": datetime.now(UTC).isoformat(), "curator": "cur-1"},
    }
    event = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "urn:malmo:oppna:registry", "type": "se.malmo.oppna.initiative.changes_requested.v1",
             "subject": iid, "time": datetime.now(UTC).isoformat(), "datacontenttype": "application/json", "data": state}
    await env.kafka.send("registry.initiatives.v1", json.dumps(event).encode(), key=iid)
    # The contact comes only on the restricted registry.contacts.v1, here after the decision: the message waits for it.
    contact = InitiativeContactRecordedV1(initiative_id=iid, version=1, contact={"name": "Programansvarig", "email": address})
    await env.publish("registry.contacts.v1", contact, iid, source="urn:malmo:oppna:registry")
    [mail] = await eventually(lambda: _async(env.smtp.to(address)), what="the decision email")
    assert mail["Subject"] == "Ert initiativ behöver ändras: Demokratisamtal KF-9"
    text = mail.get_body(("plain",)).get_content()
    assert "Lägg till tillgänglighetsinformation." in text and "English:" in text


async def test_the_preview_renders_any_template_for_staff_only(env):
    assert (await env.http.get("/v1/preview/reminder/ar")).status_code == 401
    r = await env.http.get("/v1/preview/reminder/ar", headers=as_role(Role.curator))
    assert r.status_code == 200 and 'dir="rtl"' in r.text
    r = await env.http.get("/v1/preview/digest/en", params={"part": "sms"}, headers=as_role(Role.curator))
    assert r.status_code == 200 and r.headers["x-sms-segments"].isdigit()
    assert (await env.http.get("/v1/preview/reminder/xx", headers=as_role(Role.curator))).status_code == 404
    assert (await env.http.get("/v1/preview/nonsense/sv", headers=as_role(Role.curator))).status_code == 422


async def test_erasure_removes_every_trace_of_an_address_and_a_number(env):
    address = f"{uid('erase')}@example.org"
    phone = f"+4676{uuid.uuid4().int % 10**7:07d}"
    # typed with capitals when subscribing and again (otherwise) when asking for erasure; scheduling's copy is lower case
    r = await env.http.post("/v1/subscriptions", json={"email": address.capitalize(), "language": "sv", "consent": True})
    assert r.status_code == 202
    r = await env.http.post("/v1/subscriptions", json={"phone": phone, "language": "sv", "consent": True})
    assert r.status_code == 202
    ed, sid, rid = uid("ed"), uid("s"), uid("r")
    await env.publish("scheduling.sessions.v1", session(sid, ed, datetime.now(UTC) + timedelta(days=3)), sid)
    await env.publish("scheduling.contacts.v1", contact(rid, sid, email=address), rid)
    await env.publish("scheduling.registrations.v1", registration(rid, sid, ed), rid)
    await eventually(lambda: _async(len([m for m in env.smtp.received if address in str(m["To"]).lower()]) >= 2), what="messages to the address")
    await eventually(lambda: _async([m for m in env.sms.messages.values() if m["to"] == phone]), what="the SMS code")
    await asyncio.sleep(0.5)
    assert await _traces(env, address) and await _traces(env, phone)

    assert (await env.http.post("/v1/erasure", json={"email": address})).status_code == 401
    r = await env.http.post("/v1/erasure", json={"email": address.upper(), "phone": phone}, headers=as_role(Role.curator))
    assert r.status_code == 200, r.text
    erased = r.json()["erased"]
    assert erased["subscriptions"] == 2 and erased["contacts"] == 1 and erased["messages"] >= 3
    await asyncio.sleep(0.5)
    assert await _traces(env, address) == [] and await _traces(env, phone) == []


async def test_a_contact_tombstone_erases_the_registrant(env):
    rid, sid = uid("r"), uid("s")
    await env.publish("scheduling.contacts.v1", contact(rid, sid, email=f"{rid}@example.org"), rid)
    await eventually(lambda: env.db["contacts"].find_one({"_id": rid}), what="the contact")
    await env.kafka.send("scheduling.contacts.v1", None, key=rid)
    await eventually(lambda: _async(_absent(env, rid)), what="the tombstone to erase it")
    doc = await env.db["contacts"].find_one({"_id": rid})
    assert doc["state"] == {"registration_id": rid, "session_id": sid, "erased": True}, "only the mark stays: no name, no address"


async def _absent(env, rid):
    doc = await env.db["contacts"].find_one({"_id": rid})
    return doc is None or "example.org" not in json.dumps(doc, default=str)


async def _traces(env, needle: str) -> list[str]:
    """Every collection of the notifications database, scanned for the needle."""
    found = []
    for name in await env.db.list_collection_names():
        async for doc in env.db[name].find({}):
            if needle.lower() in json.dumps(doc, default=str).lower():
                found.append(f"{name}:{doc['_id']}")
    return found


async def _async(value):
    if asyncio.iscoroutine(value):
        value = await value
    return value


async def test_topics_only_mode_leaves_delivery_to_external_gateways_and_takes_their_receipts(infra, run_id):
    from shared.events.notifications import NotificationDeliveredV1

    async with notifications_env(infra, f"{run_id}t{uuid.uuid4().hex[:4]}", delivery_mode="topics-only") as e:
        address = f"{uid('ext')}@example.org"
        r = await e.http.post("/v1/subscriptions", json={"email": address, "language": "en", "consent": True})
        assert r.status_code == 202
        emails = await e.kafka.read("notifications.email.v1", until=lambda ms: any(m["data"]["recipient"] == address for m in ms))
        [request] = [m["data"] for m in emails if m["data"]["recipient"] == address]
        assert request["category"] == "subscription_confirmation" and "/v1/subscriptions/confirm?token=" in request["html"]
        assert request["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        await asyncio.sleep(0.5)
        assert e.smtp.to(address) == [], "no built-in adapter delivers in topics-only mode"
        assert (await _status(e, request["message_id"], "sent")) is not None
        receipt = NotificationDeliveredV1(message_id=request["message_id"], channel="email", delivered_at=datetime.now(UTC))
        await e.publish("notifications.receipts.v1", receipt, request["message_id"], source="urn:malmo:gateway:external")
        await eventually(lambda: _status(e, request["message_id"], "delivered"), what="the external receipt to mark it delivered")


async def test_a_registration_kept_before_a_crash_is_still_told_when_its_event_comes_again(env):
    """Found by the chaos run: the process died after keeping its copy of the registration and
    before creating the message; the redelivered event found the copy "already there" and did
    nothing, so the resident never heard. Here the copy is left as that crash leaves it."""
    ed, sid, rid = uid("ed"), uid("s"), uid("r")
    address = f"{rid}@example.org"
    await env.publish("scheduling.sessions.v1", edition(ed), ed)
    await env.publish("scheduling.sessions.v1", session(sid, ed, datetime.now(UTC) + timedelta(days=3)), sid)
    await env.publish("scheduling.contacts.v1", contact(rid, sid, email=address), rid)
    reg = registration(rid, sid, ed)
    copy = {**reg.model_dump(mode="json"), "version": 1}
    await env.db["registrations"].insert_one({"_id": rid, "version": 1, "state_version": 1, "state": copy, "outbox": [], "outbox_pending": False})
    await env.publish("scheduling.registrations.v1", reg, rid)
    mails = await eventually(lambda: _async(env.smtp.to(address)), timeout=20, what="the confirmation after the crash")
    await asyncio.sleep(1.0)
    assert len(env.smtp.to(address)) == len(mails) == 1
