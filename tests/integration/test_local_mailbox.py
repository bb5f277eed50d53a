"""`make run`'s platform delivers its e-mail and SMS to local stand-ins that can be read.

Without them the demo's notifications service sent to 127.0.0.1:2525 and :8190 with nothing
listening: every confirmation and reminder was retried until it expired, and the retries kept
FerretDB busy long after a registration rush (49,300 failed attempts in one benchmark session).
"""

import importlib.util
import smtplib
import sys
from email.message import EmailMessage
from pathlib import Path

import httpx

from tests.browser import free_port

ROOT = Path(__file__).resolve().parents[2]


def _launcher(monkeypatch, tmp_path):
    monkeypatch.setenv("OM_RUN_DIR", str(tmp_path))
    monkeypatch.setenv("OM_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("OM_SMS_PORT", str(free_port()))
    spec = importlib.util.spec_from_file_location("om_local_services", ROOT / "deploy" / "local" / "services.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.pop("om_local_services", None)
    spec.loader.exec_module(module)
    (tmp_path / "logs").mkdir()
    (tmp_path / "pids").mkdir()
    return module


def test_the_launcher_starts_a_mailbox_that_shows_what_was_sent(monkeypatch, tmp_path, capsys):
    launcher = _launcher(monkeypatch, tmp_path)
    try:
        assert launcher.start_devservers()
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "oppna@malmo.invalid", "anna@example.org", "Bekräftelse / Confirmation"
        message["Message-ID"] = "<m-1@oppna.malmo.se>"
        message.set_content("Välkommen!")
        with smtplib.SMTP("127.0.0.1", launcher.smtp_port(), timeout=10) as smtp:
            smtp.send_message(message)
        received = httpx.get(launcher.mailbox_url(), timeout=10).json()
        assert [(m["to"], m["subject"]) for m in received["emails"]] == [("anna@example.org", "Bekräftelse / Confirmation")]
        launcher.env()
        assert f"MAILBOX_URL={launcher.mailbox_url()}" in capsys.readouterr().out.splitlines()
    finally:
        launcher.stop()
    assert launcher.pid_of(launcher.DEVSERVERS) is None

