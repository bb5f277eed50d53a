"""Issue 28 through the platform: a resident registers in Arabic on scheduling's public API for an
initiative its publisher wrote in Swedish and Arabic, and the confirmation reaches them by email
at the local mailbox and by SMS at the local gateway wholly in Arabic — the Arabic title, no word
of the Swedish or English templates, the email marked right-to-left. Registry, scheduling and
notifications on real ports over the real broker and database, one run's topics; the languages
vocabulary (Arabic a platform language) as the registry seeds it."""

import uuid

from tests.e2e.test_effects_loop import SCHEDULER, platform4  # noqa: F401 - the fixture
from tests.integration.test_notifications_feedback import phone
from tests.integration.test_notifications_message_language import _latin_words, _mail_parts
from tests.integration.test_scheduling_support import days_ahead
from tests.platform import as_role, as_source, eventually, register_source, submission
from shared.auth import Role

TITLE_AR = "حوار حول الديمقراطية في روزنغورد"


async def test_a_resident_registering_in_arabic_is_told_wholly_in_arabic_by_email_and_sms(platform4):  # noqa: F811
    registry, sched, notifications, _ = platform4
    uri = f"urn:malmo:source:ar-{uuid.uuid4().hex[:6]}"
    key = await register_source(registry.http, uri, kind="civil_society", name="Föreningen Dialog")
    event = submission(uri, "AR-1", title={"sv": "Demokratisamtal i Rosengård", "ar": TITLE_AR},
                       summary={"sv": "Ett samtal om demokrati.", "ar": "حوار عن الديمقراطية."})
    iid = (await registry.http.post("/v1/submissions", json=event, headers=as_source(key))).json()["initiative_id"]
    for decision in ("in_review", "approved"):
        assert (await registry.http.post(f"/v1/initiatives/{iid}/review", json={"decision": decision, "comment": "Bra"},
                                         headers=as_role(Role.curator))).status_code == 200

    async def stamped():
        copy = await sched.http.get(f"/v1/initiatives/{iid}")
        return copy.status_code == 200 and copy.json().get("stamped")

    await eventually(stamped, what="scheduling to hear of the stamp")
    eid = f"ed-{uuid.uuid4().hex[:8]}"
    edition = {"edition_id": eid, "name": {"sv": "Öppna Malmö", "en": "Open Malmö"}, "year": days_ahead(2).year,
               "starts_on": days_ahead(2).date().isoformat(), "ends_on": days_ahead(4).date().isoformat(), "budget_sek": 100_000}
    assert (await sched.http.post("/v1/editions", json=edition, headers=SCHEDULER)).status_code == 201
    body = {"edition_id": eid, "initiative_id": iid, "capacity": 10, "online_url": "https://meet.example.org/om",
            "starts_at": days_ahead(3, 16).isoformat(), "ends_at": days_ahead(3, 18).isoformat()}
    created = await sched.http.post("/v1/sessions", json=body, headers=SCHEDULER)
    assert created.status_code == 201, created.text
    sid = created.json()["session"]["session_id"]
    assert (await sched.http.post(f"/v1/sessions/{sid}/publish", headers=SCHEDULER)).status_code == 200

    address, number = f"amina-{uuid.uuid4().hex[:6]}@example.org", phone()
    for contact in ({"email": address}, {"phone": number}):
        r = await sched.http.post(f"/v1/sessions/{sid}/registrations", json={"name": "أمينة", "language": "ar", **contact})
        assert r.status_code == 201, r.text

    async def mailed():
        return notifications.smtp.to(address) or None

    [mail] = await eventually(mailed, timeout=60, what="the Arabic confirmation at the mailbox")
    for part, text in _mail_parts(mail).items():
        assert TITLE_AR in text and "Demokratisamtal" not in text, part
        assert not _latin_words(text), (part, _latin_words(text))
    assert 'dir="rtl"' in _mail_parts(mail)["html"]

    async def texted():
        return [m for m in notifications.sms.messages.values() if m["to"] == number] or None

    [sms] = await eventually(texted, timeout=60, what="the Arabic confirmation at the SMS gateway")
    assert TITLE_AR in sms["text"] and not _latin_words(sms["text"]), _latin_words(sms["text"])
