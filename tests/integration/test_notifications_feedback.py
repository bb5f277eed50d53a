"""The feedback survey over the real Kafka and FerretDB: the morning after a session, its checked-in
registrants (and only they) are asked by email or SMS; answers come through the page's links, once;
and no answer can be traced back to its registration in any collection or on the feedback topic."""

import asyncio
import hashlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.auth import Role, hash_key, new_key
from shared.events.sources import SourceChangedV1, SourceKey
from shared.events import scheduling as ev
from tests.integration.test_notifications_delivery import edition, notifications_env, registration, session, stored_messages, uid
from tests.platform import as_role, as_source, eventually

pytestmark = pytest.mark.integration
LINK = re.compile(r"(https?://[^\s/]+/feedback/([A-Za-z0-9_\-]+))\?lang=(\w+)")


@pytest.fixture(scope="module")
async def env(infra, run_id):
    async with notifications_env(infra, f"{run_id}f{uuid.uuid4().hex[:4]}") as e:
        yield e


def phone() -> str:
    return "+4670" + str(uuid.uuid4().int)[:7]


async def held(env, iid: str, people: list[dict], ended_days_ago: float = 2, source: str = "urn:malmo:source:test") -> tuple[str, str]:
    """An edition and a session of initiative ``iid`` that ended ``ended_days_ago`` days ago, its
    registrants (``people``: rid, channel, attended, email/phone, language) copied first, then the
    session published: its survey is due at once."""
    ed, sid = uid("ed"), uid("s")
    start = datetime.now(UTC) - timedelta(days=ended_days_ago, hours=2)
    await env.publish("scheduling.sessions.v1", edition(ed), ed)
    draft = session(sid, ed, start, cls=ev.SessionScheduledV1, status="scheduled").model_copy(update={"initiative_id": iid, "source": source})
    await env.publish("scheduling.sessions.v1", draft, sid)
    for p in people:
        await env.publish("scheduling.contacts.v1", ev.RegistrationContactRecordedV1(
            registration_id=p["rid"], session_id=sid, name="Anna Andersson", email=p.get("email"), phone=p.get("phone"), language=p["language"]), p["rid"])
        cls = ev.RegistrationCheckedInV1 if p["attended"] else ev.RegistrationConfirmedV1
        await env.publish("scheduling.registrations.v1", registration(p["rid"], sid, ed, cls=cls, channel=p["channel"], language=p["language"],
                                                                     attended=p["attended"]), p["rid"])
    await eventually(lambda: _copied(env, sid, len(people)), what="the registrations and contacts copied")
    published = session(sid, ed, start, version=2).model_copy(update={"initiative_id": iid, "source": source})
    await env.publish("scheduling.sessions.v1", published, sid)
    return ed, sid


async def _copied(env, sid: str, n: int) -> bool:
    return await env.db["registrations"].count_documents({"session_id": sid}) == n and await env.db["contacts"].count_documents({"session_id": sid}) == n


def link_in_mail(env, address: str) -> tuple[str, str, str] | None:
    for mail in env.smtp.to(address):
        if mail["Subject"].startswith(("Hur var", "How was", "كيف")):
            text = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_content()
            found = LINK.search(text)
            assert found and f"{found.group(0)}&score=5" in text
            return found.groups()
    return None


def link_in_sms(env, number: str) -> tuple[str, str, str] | None:
    for sms in env.sms.received()["sms"]:
        if sms["to"] == number and "/feedback/" in sms["text"]:
            return LINK.search(sms["text"]).groups()
    return None


async def _async(value):
    return value


async def answer(env, url: str, lang: str, **fields) -> tuple[int, str]:
    response = await env.http.post(url, data={"lang": lang, **fields})
    return response.status_code, response.text


async def test_the_checked_in_are_asked_answer_once_and_no_answer_leads_back_to_them(env):
    iid = uid("i")
    a, b, c = (uid("r") for _ in range(3))
    mail_a, mail_b, phone_c = f"{a}@example.org", f"{b}@example.org", phone()
    ed, sid = await held(env, iid, [
        {"rid": a, "channel": "email", "attended": True, "email": mail_a, "language": "sv"},
        {"rid": b, "channel": "email", "attended": False, "email": mail_b, "language": "sv"},
        {"rid": c, "channel": "sms", "attended": True, "phone": phone_c, "language": "en"},
    ])
    url_a, token_a, lang_a = await eventually(lambda: _async(link_in_mail(env, mail_a)), what="the survey email")
    url_c, token_c, lang_c = await eventually(lambda: _async(link_in_sms(env, phone_c)), what="the survey SMS")
    assert (lang_a, lang_c) == ("sv", "en") and token_a != token_c
    states = await eventually(lambda: _final(env, sid, 2), what="the two survey messages sent")
    await asyncio.sleep(1.0)
    assert link_in_mail(env, mail_b) is None, "the one not checked in is not asked where others were"

    # a GET shows the form with the score chosen and records nothing (mail scanners follow links)
    page = await env.http.get(f"{url_a}?lang=sv&score=4")
    assert page.status_code == 200 and 'value="4" checked' in page.text and "Skicka" in page.text
    assert (await env.db["feedback_slots"].find_one({"_id": hashlib.sha256(token_a.encode()).hexdigest()}))["state"]["answered"] is False
    status, text = await answer(env, url_a, "sv", score="9")
    assert status == 422 and 'aria-invalid="true"' in text and (await env.http.get(f"{url_a}?lang=sv")).status_code == 200

    status, text = await answer(env, url_a, "sv", score="4", would_come_again="yes", comment="Bra samtal, mer sånt!")
    assert status == 200 and "Tack" in text
    status, text = await answer(env, url_a, "sv", score="1")
    assert status == 409 and "redan svarat" in text
    assert (await env.http.get(f"{url_a}?lang=sv&score=2")).status_code == 409
    assert (await answer(env, url_c, "en", score="2", would_come_again="no"))[0] == 200
    assert (await env.http.get(f"/feedback/{'x' * 32}?lang=en")).status_code == 404

    answered = await env.kafka.read("notifications.feedback.v1", until=lambda ms: len([m for m in ms if m["subject"] == sid]) >= 2)
    mine = sorted((m["data"] for m in answered if m["subject"] == sid), key=lambda d: d["score"])
    assert [(d["score"], d.get("would_come_again"), d["commented"], d["initiative_id"]) for d in mine] == [(2, False, False, iid), (4, True, True, iid)]
    assert all(m["time"].endswith(("T00:00:00Z", "T00:00:00+00:00")) for m in answered if m["subject"] == sid)

    personal = [a, b, c, mail_a, mail_b, phone_c, *(s["message_id"] for s in states)]
    await no_answer_leads_back(env, personal, [token_a, token_c], answered)


async def _final(env, sid: str, n: int) -> list[dict] | None:
    states = await stored_messages(env.db, category="feedback_request", **{"context.session_id": sid})
    return states if len(states) == n and all(s["status"] in ("sent", "delivered") for s in states) else None


async def no_answer_leads_back(env, personal: list[str], tokens: list[str], feedback_events: list[dict]) -> None:
    """The issue's test: in every collection of the database and on the feedback topic, no token is
    kept; the slots and answers name no registration, message, address or number; a token's hash is
    only a slot's id."""
    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in tokens]
    for name in await env.db.list_collection_names():
        async for doc in env.db[name].find({}):
            text = json.dumps(doc, default=str)
            assert not any(t in text for t in tokens), f"a token is kept in {name}"
            if name in ("feedback_slots", "feedback_answers"):
                assert not any(p in text for p in personal), f"{name} names a registrant or a message: {text[:300]}"
            if name != "feedback_slots":
                assert not any(h in text for h in hashes), f"a slot's id is in {name}"
    for event in feedback_events:
        text = json.dumps(event)
        assert not any(x in text for x in [*personal, *tokens, *hashes]), text[:300]


async def test_no_one_checked_in_means_every_confirmed_registrant_is_asked(env):
    a, b = uid("r"), uid("r")
    _, sid = await held(env, uid("i"), [{"rid": a, "channel": "email", "attended": False, "email": f"{a}@example.org", "language": "ar"},
                                        {"rid": b, "channel": "email", "attended": False, "email": f"{b}@example.org", "language": "en"}])
    _, _, lang = await eventually(lambda: _async(link_in_mail(env, f"{a}@example.org")), what="the Arabic survey email")
    await eventually(lambda: _async(link_in_mail(env, f"{b}@example.org")), what="the English survey email")
    assert lang == "ar"
    await eventually(lambda: _final(env, sid, 2), what="both sent")
    # the same session again (a redelivery, a new version) asks no one twice
    await env.publish("scheduling.sessions.v1", session(sid, "x", datetime.now(UTC) - timedelta(days=2, hours=2), version=3), sid)
    await asyncio.sleep(1.5)
    assert len([m for m in env.smtp.to(f"{a}@example.org") if "/feedback/" in str(m)]) <= 1


async def test_curators_read_and_release_comments_and_others_may_not(env):
    a = uid("r")
    iid = uid("i")
    _, sid = await held(env, iid, [{"rid": a, "channel": "email", "attended": True, "email": f"{a}@example.org", "language": "sv"}])
    url, _, _ = await eventually(lambda: _async(link_in_mail(env, f"{a}@example.org")), what="the survey email")
    assert (await answer(env, url, "sv", score="5", comment="Fantastiskt!"))[0] == 200
    curator = as_role(Role.curator)
    listed = (await env.http.get("/v1/feedback/comments", params={"session_id": sid}, headers=curator)).json()["comments"]
    assert [(c["comment"], c["released"], c["score"], c["initiative_id"]) for c in listed] == [("Fantastiskt!", False, 5, iid)]
    assert set(listed[0]) == {"id", "session_id", "initiative_id", "edition_id", "answered_on", "score", "would_come_again", "comment", "released"}
    by_initiative = (await env.http.get("/v1/feedback/comments", params={"initiative_id": iid}, headers=curator)).json()["comments"]
    assert [c["id"] for c in by_initiative] == [listed[0]["id"]]
    assert (await env.http.get("/v1/feedback/comments", headers=curator)).status_code == 422
    assert (await env.http.get("/v1/feedback/comments", params={"session_id": sid}, headers=as_role(Role.analyst))).status_code == 403
    assert (await env.http.post(f"/v1/feedback/comments/{listed[0]['id']}/release", headers=as_role(Role.scheduler))).status_code == 403
    assert (await env.http.post("/v1/feedback/comments/nope/release", headers=curator)).status_code == 404

    released = await env.http.post(f"/v1/feedback/comments/{listed[0]['id']}/release", headers=curator)
    again = await env.http.post(f"/v1/feedback/comments/{listed[0]['id']}/release", headers=curator)
    assert released.status_code == again.status_code == 200 and released.json()["comment_id"] == again.json()["comment_id"]
    events = await env.kafka.read("notifications.feedback.v1", until=lambda ms: any(m["data"].get("text") == "Fantastiskt!" for m in ms))
    [event] = [m["data"] for m in events if m["data"].get("text") == "Fantastiskt!"]
    assert event["comment_id"] == released.json()["comment_id"] != listed[0]["id"] and event["session_id"] == sid
    assert (await env.http.get("/v1/feedback/comments", params={"session_id": sid}, headers=curator)).json()["comments"][0]["released"] is True


async def publisher(env) -> tuple[str, str]:
    """A publisher the registry told of on registry.sources.v1: its URI and its key."""
    uri = f"urn:malmo:source:fb-{uuid.uuid4().hex[:6]}"
    key_id, key = new_key()
    told = SourceChangedV1(source=uri, version=1, kind="civil_society", name={"sv": "Föreningen", "en": "The association"}, active=True,
                           keys=[SourceKey(key_id=key_id, sha256=hash_key(key))])
    await env.publish("registry.sources.v1", told, uri, source="urn:malmo:oppna:registry")
    return uri, key


async def test_an_organiser_reads_the_released_comments_of_its_own_initiative_only(env):
    (ours, our_key), (_, other_key) = await publisher(env), await publisher(env)
    iid, a, b = uid("i"), uid("r"), uid("r")
    _, sid = await held(env, iid, [{"rid": a, "channel": "email", "attended": True, "email": f"{a}@example.org", "language": "sv"},
                                   {"rid": b, "channel": "email", "attended": True, "email": f"{b}@example.org", "language": "sv"}], source=ours)
    for rid, comment in ((a, "Släpps"), (b, "Släpps inte")):
        url, _, _ = await eventually(lambda rid=rid: _async(link_in_mail(env, f"{rid}@example.org")), what="the survey email")
        assert (await answer(env, url, "sv", score="4", comment=comment))[0] == 200
    curator = as_role(Role.curator)
    listed = (await env.http.get("/v1/feedback/comments", params={"session_id": sid}, headers=curator)).json()["comments"]
    chosen = next(c["id"] for c in listed if c["comment"] == "Släpps")
    assert (await env.http.post(f"/v1/feedback/comments/{chosen}/release", headers=curator)).status_code == 200

    mine = await eventually(lambda: _known(env, iid, our_key), what="the publisher's key known at notifications")
    assert mine.status_code == 200 and [c["comment"] for c in mine.json()["comments"]] == ["Släpps"]
    by_session = await env.http.get("/v1/feedback/comments", params={"session_id": sid}, headers=as_source(our_key))
    assert [c["comment"] for c in by_session.json()["comments"]] == ["Släpps"]
    others = await eventually(lambda: _known(env, iid, other_key), what="the other publisher's key known")
    assert others.status_code == 403 and others.json()["detail"][0]["field"] == "initiative_id"
    assert (await env.http.post(f"/v1/feedback/comments/{chosen}/release", headers=as_source(our_key))).status_code == 403


async def _known(env, iid: str, key: str):
    """The publisher's read, once notifications has its key from registry.sources.v1 (401 until then)."""
    r = await env.http.get("/v1/feedback/comments", params={"initiative_id": iid}, headers=as_source(key))
    return r if r.status_code != 401 else None
