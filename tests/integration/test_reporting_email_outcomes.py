"""Issue 24, point 20, through the real services: notifications sends an email to a real SMTP
server and reporting, on the same topics, counts what is known of it — handed over to the mail
server, and bounced when the mail gateway's bounce arrives — never a "delivered" that nothing
ever measures for email."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from shared.events.notifications import NotificationFailedV1
from tests.integration.test_notifications_delivery import _async, contact, edition, notifications_env, registration, session, uid
from tests.platform import as_role, eventually, running, settings_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def both(infra, run_id):
    """Notifications (SMTP sink, SMS gateway) and reporting on one topic prefix."""
    prefix = f"{run_id}ro{uuid.uuid4().hex[:4]}"
    async with notifications_env(infra, prefix) as env:
        settings = settings_for(ReportingSettings, infra, prefix)
        async with running(reporting_app(settings)) as http:
            yield env, http


async def email_row(http, edition_id: str, lang: str = "en") -> dict | None:
    r = await http.get(f"/v1/analyst/editions/{edition_id}/figures/reach", params={"dimension": "channel", "lang": lang},
                       headers=as_role(Role.analyst))
    if r.status_code != 200:
        return None
    rows = {row["category"]: row for row in r.json()["tables"]["channel"]["rows"]}
    return rows.get("email")


async def test_an_email_counts_as_handed_over_and_its_bounce_as_bounced(both):
    env, http = both
    ed, sid, rid = uid("ed"), uid("s"), uid("r")
    address = f"{rid}@example.org"
    await env.publish("scheduling.sessions.v1", edition(ed), ed)
    await env.publish("scheduling.sessions.v1", session(sid, ed, datetime.now(UTC) + timedelta(days=3)), sid)
    await env.publish("scheduling.contacts.v1", contact(rid, sid, email=address), rid)
    await env.publish("scheduling.registrations.v1", registration(rid, sid, ed), rid)
    await eventually(lambda: _async(env.smtp.to(address)), what="the confirmation email at the SMTP server")

    async def handed_over():
        row = await email_row(http, ed)
        return row if row and row["values"]["sent"] == 1 else None

    row = await eventually(handed_over, timeout=60, what="reporting to count the email handed over")
    assert row["values"]["delivered"] is None and row["not_known"] == ["delivered"], "nothing measures an email's delivery"
    assert row["values"]["bounced"] == 0 and row["values"]["failed"] == 0
    r = await http.get(f"/v1/analyst/editions/{ed}/figures/reach", params={"dimension": "channel", "lang": "en"}, headers=as_role(Role.analyst))
    labels = {m["id"]: m["label"] for m in r.json()["tables"]["channel"]["measures"]}
    assert "handed over" in labels["sent"].lower() and "bounced" in labels["bounced"].lower()

    # The mail gateway's bounce on the receipts topic, as an external gateway sends it.
    [state] = await env.message_states(category="registration_confirmed", **{"recipient.key": f"registration:{rid}"})
    bounce = NotificationFailedV1(message_id=state["message_id"], channel="email", failed_at=datetime.now(UTC), permanent=True,
                                  reason="550 5.1.1 mailbox unavailable")
    await env.publish("notifications.receipts.v1", bounce, state["message_id"], source="urn:malmo:gateway:mail")

    async def bounced():
        row = await email_row(http, ed)
        return row if row and row["values"]["bounced"] == 1 else None

    row = await eventually(bounced, timeout=60, what="reporting to count the bounce")
    assert row["values"]["sent"] == 1 and row["values"]["failed"] == 0, "a bounce was handed over first, and is not a refusal"


async def test_the_export_says_handed_over_and_marks_email_delivery_as_not_known(both):
    env, http = both
    [edition_id] = [e["edition_id"] for e in (await http.get("/v1/editions")).json()][:1] or [None]
    assert edition_id is not None
    r = await http.get(f"/v1/editions/{edition_id}/export.csv", params={"area": "reach", "dimension": "channel", "lang": "sv"})
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    header = table[0]
    assert any("Överlämnade" in h for h in header) and any("Studsade" in h for h in header), header
    assert not any(h == "Levererade" for h in header), "no bare 'delivered' that reads 0 for email"
    email = next(row for row in table if row[0] == "E-post")
    assert email[header.index(next(h for h in header if h.startswith("Levererade")))] == "."
    j = (await http.get(f"/v1/editions/{edition_id}/jsonstat", params={"area": "reach", "dimension": "channel", "lang": "en"})).json()
    assert "." in j["status"].values()
