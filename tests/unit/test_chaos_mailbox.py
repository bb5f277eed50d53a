"""Counting e-mail the way a resident sees it: the SMTP sink's mailbox keeps one copy per
Message-ID, and the chaos check counts a repeat under a new id (or a second notice) as a duplicate."""

from email.message import EmailMessage

import aiosmtplib

from chaos import checks
from services.notifications.devservers import SmsGateway, SmtpSink


def mail(to: str, message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "noreply@oppna.malmo.se", to, "Bekräftelse / Confirmation"
    msg["Message-ID"] = f"<{message_id}@oppna.malmo.se>"
    msg.set_content("Du är anmäld. / You are registered.")
    return msg


async def test_a_resend_under_the_same_message_id_lands_once_and_is_counted_as_a_resend():
    sink = SmtpSink().start()
    try:
        for m in (mail("ada@example.org", "m1"), mail("ada@example.org", "m1"), mail("ada@example.org", "m2"), mail("bo@example.org", "m1")):
            await aiosmtplib.send(m, hostname="127.0.0.1", port=sink.port)
    finally:
        sink.stop()
    assert len(sink.received) == 4  # every transmission
    assert sorted(sink.delivered) == [("ada@example.org", "<m1@oppna.malmo.se>"), ("ada@example.org", "<m2@oppna.malmo.se>"), ("bo@example.org", "<m1@oppna.malmo.se>")]
    assert sink.repeats == 1


def test_the_check_passes_resends_of_one_message_and_fails_a_second_message():
    sink, gateway = SmtpSink(), SmsGateway()
    sink.deliver(mail("ada@example.org", "m1"), ["ada@example.org"])
    sink.deliver(mail("ada@example.org", "m1"), ["ada@example.org"])  # resent after a crash
    gateway.messages["r1"] = {"to": "+46709000001"}
    gateway.requests += [{"client_ref": "r1"}, {"client_ref": "r1"}]
    once = checks.notifications({"ada@example.org": 1, "+46709000001": 1}, sink, gateway)
    assert (once.lost, once.duplicated, once.ok) == (0, 0, True)
    assert once.figures["email_resends_kept_once_by_message_id"] == 1
    assert once.figures["sms_resends_kept_once_by_client_ref"] == 1

    sink.deliver(mail("ada@example.org", "m3"), ["ada@example.org"])  # the same notice under a new id
    twice = checks.notifications({"ada@example.org": 1, "+46709000001": 1}, sink, gateway)
    assert (twice.lost, twice.duplicated, twice.ok) == (0, 1, False)

    missing = checks.notifications({"ada@example.org": 2, "+46709000001": 1, "cy@example.org": 1}, SmtpSink(), gateway)
    assert (missing.lost, missing.ok) == (3, False)
