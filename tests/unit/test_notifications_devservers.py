"""The standalone SMTP sink reads Message-ID, To and Subject from the raw header block; what it lists
is what the full parse (kept for in-process tests) lists, for messages as the service builds them."""

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest

from services.notifications.adapters.smtp import SmtpAdapter, build_message
from services.notifications.devservers import SmtpSink, read_headers
from shared.events.notifications import EmailRequestedV1

NOW = datetime.now(UTC)
SUBJECTS = ["Hej", "Ändrad tid: Utspridning", "تغيير الموعد",
            "Ändrad tid för Utspridning i Rosengård — lördag 12 december 2026 kl. 14.00–15.00, ta med vattenflaska"]


def request(subject: str, recipient: str = "p@example.org") -> EmailRequestedV1:
    return EmailRequestedV1(message_id="m-héad-1", recipient=recipient, language="sv", category="digest", subject=subject, text="t",
                            html="<p>t</p>", headers={"List-Unsubscribe": "<https://x/u>"}, attachments=[], not_before=NOW, expires_at=NOW + timedelta(days=1))


@pytest.mark.parametrize("subject", SUBJECTS)
def test_reading_the_header_block_equals_the_full_parse(subject):
    raw = build_message(request(subject, "å@exämple.org"), "=?utf-8?b?w5ZwcG5hIE1hbG3Dtg==?= <noreply@oppna.malmo.se>")
    full = email.message_from_bytes(raw, policy=email.policy.default)
    assert read_headers(raw) == {"message-id": str(full["Message-ID"]), "to": str(full["To"]), "subject": str(full["Subject"])}
    assert read_headers(raw)["subject"] == subject


def test_folded_repeated_and_missing_headers():
    raw = b"Subject: first\r\n  part\r\nX-Other: x\r\n\tnot this\r\nSubject: second\r\nTo: a@b.se\r\n\r\nMessage-ID: <in-body@x>\r\n"
    full = email.message_from_bytes(raw, policy=email.policy.default)
    assert read_headers(raw) == {"message-id": None, "to": "a@b.se", "subject": "first  part"} == {
        "message-id": full["Message-ID"], "to": str(full["To"]), "subject": str(full["Subject"])}


async def test_the_standalone_sink_lists_what_the_full_parse_lists():
    full, cheap = SmtpSink().start(), SmtpSink(keep_messages=False).start()
    try:
        for sink in (full, cheap):
            smtp = SmtpAdapter("127.0.0.1", sink.port, "Öppna Malmö <noreply@oppna.malmo.se>")
            try:
                for subject in SUBJECTS:
                    await smtp.send(request(subject))
            finally:
                await smtp.close()
    finally:
        full.stop()
        cheap.stop()
    assert cheap.receptions == full.receptions and cheap.received == []
    assert [r["subject"] for r in cheap.receptions] == SUBJECTS and {r["message_id"] for r in cheap.receptions} == {"m-héad-1"}
