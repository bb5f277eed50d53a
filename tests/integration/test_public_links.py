"""Links a resident follows start with PUBLIC_BASE_URL, as a deployment sets it in the environment:
the programme's JSON and calendar, the registration page's private link, and an e-mail's links
(the confirm link, the unsubscribe link and List-Unsubscribe). No link names the loopback."""

import re
import uuid

import pytest

from services.scheduling.main import create_app as scheduling_app
from services.scheduling.settings import SchedulingSettings
from tests.e2e.test_scheduling_page import published_session
from tests.integration.test_notifications_delivery import _async, notifications_env
from tests.platform import Platform, RawKafka, eventually, running, settings_for

PUBLIC = "https://program.oppna.malmo.se"
HREF = re.compile(r'(?:href|action)="([^"]+)"')


def absolute_links(text: str) -> list[str]:
    return [u for u in re.findall(r"https?://[^\s\"'<>]+", text) if "w3.org" not in u]


@pytest.fixture
async def scheduling(infra, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC + "/")
    run_id = f"pl{uuid.uuid4().hex[:8]}"
    platform = Platform(infra, run_id)
    platform.settings["scheduling"] = settings = settings_for(SchedulingSettings, infra, run_id)
    try:
        async with running(scheduling_app(settings)) as http, RawKafka(infra.kafka, f"{run_id}.") as kafka:
            yield http, kafka
    finally:
        await platform.cleanup()


async def test_the_programme_its_calendar_and_the_registration_page_link_to_the_public_address(scheduling):
    http, kafka = scheduling
    session_id = await published_session(http, kafka)

    (session,) = (await http.get("/v1/programme")).json()["sessions"]
    for key in ("url", "page_url", "ics_url", "registration_url"):
        assert session[key].startswith(f"{PUBLIC}/"), (key, session[key])
    assert session["page_url"] == f"{PUBLIC}/programme/sessions/{session_id}"

    calendar = (await http.get("/v1/programme.ics")).text.replace("\r\n ", "")  # unfolded
    urls = re.findall(r"^URL[^:]*:(.+?)\r?$", calendar, re.M)
    assert urls == [f"{PUBLIC}/programme/sessions/{session_id}"], urls

    page = await http.post(f"/programme/sessions/{session_id}/register?lang=en", content=b"name=Anna&email=anna%40example.org",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert page.status_code == 201, page.text
    links = absolute_links(page.text)
    assert links and all(u.startswith(f"{PUBLIC}/programme/registrations/") for u in links), links
    assert "127.0.0.1" not in page.text


async def test_an_emails_links_point_to_the_public_address(infra):
    public = "https://meddelanden.oppna.malmo.se"
    async with notifications_env(infra, f"pm{uuid.uuid4().hex[:8]}", public_base_url=public) as env:
        address = f"{uuid.uuid4().hex[:8]}@example.org"
        r = await env.http.post("/v1/subscriptions", json={"email": address, "language": "sv", "consent": True})
        assert r.status_code == 202, r.text
        (mail,) = await eventually(lambda: _async(env.smtp.to(address)), what="the confirmation e-mail")
        html = next(p for p in mail.walk() if p.get_content_type() == "text/html").get_content()
        text = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_content()
        links = HREF.findall(html) + absolute_links(text) + re.findall(r"<(https?://[^>]+)>", mail["List-Unsubscribe"])
        assert len([u for u in links if u.startswith(f"{public}/v1/")]) >= 5, links  # confirm and unsubscribe, HTML and text, the header
        assert all(u.startswith(public) for u in links), [u for u in links if not u.startswith(public)]
        assert "127.0.0.1" not in html + text
