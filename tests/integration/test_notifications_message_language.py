"""A resident's messages wholly in their language, through the running service (issue 28).

Arabic email and SMS for an initiative written in Swedish and Arabic: no word of the Swedish or
English templates and not the Swedish title; for an initiative in Swedish only, the Arabic
message says the title is in Swedish. A fourth language is data only: a template folder named
by ``TEMPLATE_DIRS`` and the languages vocabulary's ``platform`` flag. The subscription pages
answer in every platform language."""

import json
import re
import shutil
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.notifications import render as r
from tests.integration.test_notifications_delivery import _async, _registered, contact, edition, notifications_env, registration, session, uid
from tests.platform import eventually
from tests.vocabulary_events import publish_vocabularies

pytestmark = pytest.mark.integration
URL = re.compile(r"https?://\S+")
PROPER_NAMES = ("Öppna Malmö", "Rosengårds bibliotek", "Amiralsgatan 35")
SWEDISH_TITLE = "Demokratisamtal"


def _latin_words(text: str) -> list[str]:
    text = URL.sub(" ", re.sub(r"<[^>]+>", " ", text))
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    return re.findall(r"[A-Za-zÅÄÖåäöÉé]{2,}", text)


@pytest.fixture(scope="module")
async def env(infra, run_id):
    async with notifications_env(infra, f"{run_id}l{uuid.uuid4().hex[:4]}") as e:
        yield e


def _mail_parts(mail) -> dict[str, str]:
    return {"subject": str(mail["Subject"]), "text": mail.get_body(("plain",)).get_content(), "html": mail.get_body(("html",)).get_content()}


async def _sms_to(env, phone: str) -> list[dict]:
    return [m for m in env.sms.messages.values() if m["to"] == phone]


async def test_an_arabic_registrant_gets_an_email_and_an_sms_wholly_in_arabic(env):
    ed, sid, rid = uid("ed"), uid("s"), uid("r")
    address = f"{rid}@example.org"
    await _registered(env, ed, sid, rid, datetime.now(UTC) + timedelta(days=3), email=address, language="ar")
    [mail] = await eventually(lambda: _async(env.smtp.to(address)), what="the Arabic confirmation email")
    for part, text in _mail_parts(mail).items():
        assert "حوار حول الديمقراطية" in text, part
        assert SWEDISH_TITLE not in text and not _latin_words(text), (part, _latin_words(text))
    assert 'dir="rtl"' in _mail_parts(mail)["html"] and mail["Content-Language"] == "ar"

    rid2, phone = uid("r"), "+46701234577"
    await env.publish("scheduling.contacts.v1", contact(rid2, sid, phone=phone, language="ar"), rid2)
    await env.publish("scheduling.registrations.v1", registration(rid2, sid, ed, channel="sms", language="ar"), rid2)
    [sms] = await eventually(lambda: _sms_to(env, phone), what="the Arabic confirmation SMS")
    assert "حوار حول الديمقراطية" in sms["text"] and not _latin_words(sms["text"]), _latin_words(sms["text"])


async def test_for_an_initiative_in_swedish_only_the_arabic_message_says_so(env):
    ed, sid, rid = uid("ed"), uid("s"), uid("r")
    address = f"{rid}@example.org"
    await env.publish("scheduling.sessions.v1", edition(ed), ed)
    only_swedish = session(sid, ed, datetime.now(UTC) + timedelta(days=3)).model_copy(update={"title": {"sv": f"Demokratisamtal {sid}"}})
    await env.publish("scheduling.sessions.v1", only_swedish, sid)
    await env.publish("scheduling.contacts.v1", contact(rid, sid, email=address, language="ar"), rid)
    await env.publish("scheduling.registrations.v1", registration(rid, sid, ed, language="ar"), rid)
    [mail] = await eventually(lambda: _async(env.smtp.to(address)), what="the Arabic email")
    assert f"Demokratisamtal {sid} (باللغة السويدية)" in str(mail["Subject"])
    assert f"Demokratisamtal {sid} (باللغة السويدية)" in mail.get_body(("plain",)).get_content()


async def test_a_language_the_platform_does_not_offer_gets_swedish(env):
    ed, sid, rid = uid("ed"), uid("s"), uid("r")
    address = f"{rid}@example.org"
    await _registered(env, ed, sid, rid, datetime.now(UTC) + timedelta(days=3), email=address, language="fa")  # Persian: no templates, not platform
    [mail] = await eventually(lambda: _async(env.smtp.to(address)), what="the email")
    assert str(mail["Subject"]) == f"Du är anmäld: Demokratisamtal {sid}" and mail["Content-Language"] == "sv"


@pytest.mark.parametrize(("lang", "direction", "heading"), [("sv", "ltr", "Få veta om nya aktiviteter"), ("en", "ltr", "Hear about new activities"),
                                                            ("ar", "rtl", "اعرف بالأنشطة الجديدة")])
async def test_the_sign_up_form_is_in_every_platform_language(env, lang, direction, heading):
    page = await env.http.get("/subscribe", params={"lang": lang})
    assert page.status_code == 200 and f'<html lang="{lang}" dir="{direction}">' in page.text and heading in page.text
    options = re.findall(r'<option value="(\w+)"[^>]*>([^<]+)', page.text)
    assert options == [("sv", "Svenska"), ("en", "English"), ("ar", "العربية")]
    assert "rosengard" not in re.sub(r'value="[^"]*"', "", page.text)  # labels, not codes
    by_header = await env.http.get("/subscribe", headers={"accept-language": f"{lang};q=0.9, de;q=0.5"})
    assert f'<html lang="{lang}"' in by_header.text


async def test_the_sign_up_form_subscribes_and_refuses_beside_the_field(env):
    form = {"content-type": "application/x-www-form-urlencoded"}
    refused = await env.http.post("/subscribe?lang=ar", content="email=nope&language=ar&consent=true", headers=form)
    assert refused.status_code == 422 and 'id="email-error"' in refused.text and 'aria-invalid="true"' in refused.text
    address = f"{uid('f')}@example.org"
    made = await env.http.post("/subscribe?lang=ar", content=f"email={address}&language=ar&themes=democracy&frequency=weekly&consent=true", headers=form)
    assert made.status_code == 202 and "انظر في بريدك الإلكتروني" in made.text
    [mail] = await eventually(lambda: _async(env.smtp.to(address)), what="the Arabic confirmation")
    html = mail.get_body(("html",)).get_content()
    assert "أكّد اشتراكك" in str(mail["Subject"])
    link = re.search(r'href="[^"]*(/v1/subscriptions/confirm\?token=[^"]+)"', html).group(1).replace("&amp;", "&")
    assert link.endswith("&lang=ar")
    confirm = await env.http.get(link)
    assert confirm.status_code == 200 and '<html lang="ar" dir="rtl">' in confirm.text and "تأكيد" in confirm.text
    unsubscribe = re.search(r'href="[^"]*(/v1/unsubscribe/[^"]+)"', html).group(1).replace("&amp;", "&")
    page = await env.http.get(unsubscribe)
    assert page.status_code == 200 and '<html lang="ar" dir="rtl">' in page.text and "إلغاء الاشتراك" in page.text


async def test_a_fourth_language_is_a_template_folder_and_the_vocabularys_platform_flag(infra, run_id, tmp_path):
    shutil.copytree(r.TEMPLATES / "en", tmp_path / "pl")
    labels = {**r.labels("en"), "what": "Co", "when": "Kiedy", "where": "Gdzie", "fallback_note": "(w języku: {language})"}
    (tmp_path / "pl" / "labels.json").write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "pl" / "registration_confirmed.j2").write_text(
        "{% block subject %}Zapisano: {{ what }}{% endblock %}{% block intro %}Witamy!{% endblock %}"
        "{% block sms %}Zapisano: {{ what }}, {{ when }}. Stop: {{ unsubscribe_url }}{% endblock %}", encoding="utf-8")
    async with notifications_env(infra, f"{run_id}p{uuid.uuid4().hex[:4]}", template_dirs=[str(tmp_path)]) as env:
        polish = {"pl": {"labels": {"sv": "polska", "en": "Polish"}, "endonym": "Polski", "platform": True}}
        await publish_vocabularies(env.kafka, extra={"languages": polish}, version=2)
        page = await eventually(lambda: _polish_offered(env), what="Polish offered for messages")
        assert ("pl", "Polski") in re.findall(r'<option value="(\w+)"[^>]*>([^<]+)', page)
        ed, sid, rid = uid("ed"), uid("s"), uid("r")
        address = f"{rid}@example.org"
        await _registered(env, ed, sid, rid, datetime.now(UTC) + timedelta(days=3), email=address, language="pl")
        [mail] = await eventually(lambda: _async(env.smtp.to(address)), what="the Polish email")
        assert str(mail["Subject"]) == f"Zapisano: Demokratisamtal {sid} (w języku: szwedzki)" and mail["Content-Language"] == "pl"
        assert "Kiedy: " in mail.get_body(("plain",)).get_content()


async def _polish_offered(env) -> str | None:
    text = (await env.http.get("/subscribe")).text
    return text if '<option value="pl"' in text else None
