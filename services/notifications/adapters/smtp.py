"""The SMTP adapter (aiosmtplib): one rendered EmailRequestedV1 → one SMTP transaction.

Replies 5xx are permanent, 4xx and connection trouble temporary. Errors carry the server's
code and words, never the address.

Transactions go over a few kept connections (``CONNECTIONS``), one transaction at a time each:
a connection per message (connect, EHLO, QUIT: three extra exchanges) halved what a fan-out
handed over per second. A kept connection the server has closed meanwhile is opened again once.
"""

import asyncio
import base64
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from services.notifications.adapters import PermanentFailure, TemporaryFailure
from shared.events.notifications import EmailRequestedV1


def build_message(email: EmailRequestedV1, mail_from: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = email.recipient
    msg["Subject"] = email.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = f"<{email.message_id}@oppna.malmo.se>"
    msg["Content-Language"] = email.language
    msg["Auto-Submitted"] = "auto-generated"
    for name, value in email.headers.items():
        msg[name] = value
    msg.set_content(email.text)
    msg.add_alternative(email.html, subtype="html")
    for a in email.attachments:
        maintype, _, subtype = a["content_type"].partition("/")
        msg.add_attachment(base64.b64decode(a["content_base64"]), maintype=maintype, subtype=subtype, filename=a["filename"])
    return msg


class SmtpAdapter:
    CONNECTIONS = 4

    def __init__(self, host: str, port: int, mail_from: str, username: str | None = None, password: str | None = None, starttls: bool = False, timeout_s: float = 10):
        self._kw = dict(hostname=host, port=port, username=username, password=password, start_tls=starttls, timeout=timeout_s)
        self._from = mail_from
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(self.CONNECTIONS)

    async def close(self) -> None:
        while self._idle:
            await _quit(self._idle.pop())

    async def _transaction(self, message: EmailMessage) -> str:
        async with self._slots:
            smtp = self._idle.pop() if self._idle else None
            try:
                if smtp is not None:
                    try:
                        _, reply = await smtp.send_message(message)
                        self._idle.append(smtp)
                        return reply
                    except aiosmtplib.SMTPServerDisconnected:  # closed while idle: open one again, once
                        smtp.close()
                smtp = aiosmtplib.SMTP(**self._kw)
                await smtp.connect()
                _, reply = await smtp.send_message(message)
            except BaseException:
                if smtp is not None:  # in an unknown state after a refusal or a timeout: not kept
                    await _quit(smtp)
                raise
            self._idle.append(smtp)
            return reply

    async def send(self, email: EmailRequestedV1) -> str:
        """Returns the server's reply to the message; raises Temporary/PermanentFailure."""
        try:
            reply = await self._transaction(build_message(email, self._from))
        except aiosmtplib.SMTPRecipientsRefused as e:
            codes = [r.code for r in e.recipients]
            exc = PermanentFailure if all(c >= 500 for c in codes) else TemporaryFailure
            raise exc(f"recipient refused: {codes}") from None
        except aiosmtplib.SMTPResponseException as e:
            exc = PermanentFailure if e.code >= 500 else TemporaryFailure
            raise exc(f"SMTP {e.code}: {e.message[:200]}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
            raise TemporaryFailure(f"SMTP unavailable: {type(e).__name__}") from None
        return reply[:200]


async def _quit(smtp: aiosmtplib.SMTP) -> None:
    try:
        if smtp.is_connected:
            await asyncio.wait_for(smtp.quit(), 2)
    except Exception:  # noqa: BLE001 — a connection that is going anyway
        smtp.close()
