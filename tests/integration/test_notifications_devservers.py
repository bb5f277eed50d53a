"""The local test servers as their own process count every reception, repeats included, by the
service's own message id — the contract the chaos run and the fan-out benchmark count with."""

import asyncio
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from services.notifications.adapters.sms_gateway import SmsGatewayAdapter
from services.notifications.adapters.smtp import SmtpAdapter
from services.notifications.devservers import free_port
from shared.events.notifications import EmailRequestedV1, SmsRequestedV1

ROOT = Path(__file__).resolve().parents[2]


async def test_the_devservers_process_lists_every_email_and_sms_with_repeats_and_forgets_on_delete():
    smtp_port, sms_port = free_port(), free_port()
    proc = subprocess.Popen([sys.executable, "-m", "services.notifications.devservers", "--smtp-port", str(smtp_port), "--sms-port", str(sms_port)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert "devservers ready" in await asyncio.to_thread(proc.stdout.readline)
        now = datetime.now(UTC)
        common = dict(language="sv", category="digest", not_before=now, expires_at=now + timedelta(days=1))
        email = EmailRequestedV1(message_id="m-email-1", recipient="a@example.org", subject="Hej", text="t", html="<p>t</p>", headers={}, attachments=[], **common)
        sms = SmsRequestedV1(message_id="m-sms-1", recipient="+46701234567", text="hej", encoding="gsm7", segments=1, **common)
        smtp = SmtpAdapter("127.0.0.1", smtp_port, "Öppna Malmö <no-reply@oppna.malmo.se>")
        gateway = SmsGatewayAdapter(f"http://127.0.0.1:{sms_port}", "OppnaMalmo")
        for _ in range(2):  # a repeat is listed again: duplicates are countable
            await smtp.send(email)
            await gateway.send(sms)
        await gateway.close()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{sms_port}") as http:
            got = (await http.get("/_received")).json()
            assert got["email_count"] == 2 and got["sms_requests"] == 2
            assert [e["message_id"] for e in got["emails"]] == ["m-email-1", "m-email-1"]
            assert got["emails"][0]["to"] == "a@example.org" and got["emails"][0]["subject"] == "Hej"
            assert [s["client_ref"] for s in got["sms"]] == ["m-sms-1", "m-sms-1"] == [s["message_id"] for s in got["sms"]]
            # a run polling its progress asks for the counts alone
            assert (await http.get("/_received", params={"counts": 1})).json() == {"email_count": 2, "sms_requests": 2}
            assert (await http.delete("/_received")).status_code == 204
            assert (await http.get("/_received")).json() == {"emails": [], "sms": [], "email_count": 0, "sms_requests": 0}
    finally:
        proc.terminate()
        assert await asyncio.to_thread(proc.wait, 20) == 0, "SIGTERM ends it cleanly"
