"""The SMTP adapter: one rendered EmailRequestedV1 → one SMTP transaction. aiosmtplib opens each
connection (greeting, EHLO, STARTTLS, AUTH); its transactions go pipelined (``smtp_transactions``).

Replies 5xx are permanent, 4xx and connection trouble temporary. Errors carry the server's
code and words, never the address.

Transactions go over a few kept connections (``CONNECTIONS``), one transaction at a time each:
a connection per message (connect, EHLO, QUIT: three extra exchanges) halved what a fan-out
handed over per second. A kept connection the server has closed meanwhile is opened again once.
"""

import asyncio
import base64
import uuid
from email.utils import formatdate, parseaddr
from functools import lru_cache

import aiosmtplib

from services.notifications.adapters import PermanentFailure, TemporaryFailure
from services.notifications.adapters.smtp_transactions import Transactions
from shared.events.notifications import EmailRequestedV1


@lru_cache(maxsize=1024)
def encoded_words(value: str) -> str:
    """A header value outside ASCII as RFC 2047 encoded words (base64), each within 75
    characters, folded one to a line; ASCII as it is. (Kept: a fan-out's e-mails share a subject.)"""
    if value.isascii():
        return value
    words, chunk = [], b""
    for char in value:
        data = char.encode("utf-8")
        if len(chunk) + len(data) > 45:  # 45 bytes: 60 base64 characters in a word of 72
            words.append(chunk)
            chunk = b""
        chunk += data
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words)


def _address(value: str) -> str:
    """``Name <address>`` with a name outside ASCII as encoded words."""
    name, address = parseaddr(value)
    return value if not name or name.isascii() else f"{encoded_words(name)} <{address}>"


def _part(content_type: str, data: bytes, *headers: str) -> str:
    body = base64.encodebytes(data).decode()
    return "\r\n".join((f"Content-Type: {content_type}", "Content-Transfer-Encoding: base64", *headers, "", body))


@lru_cache(maxsize=64)
def _attachment(content_type: str, content_base64: str, filename: str) -> str:
    """An attachment's part; a fan-out's messages share one (a session's .ics): made once."""
    return _part(content_type, base64.b64decode(content_base64), f'Content-Disposition: attachment; filename="{filename}"')


def _multipart(kind: str, parts: list[str]) -> str:
    boundary = f"=_{uuid.uuid4().hex}"
    inner = "".join(f"--{boundary}\r\n{p}\r\n" for p in parts)
    return f'Content-Type: multipart/{kind}; boundary="{boundary}"\r\n\r\n{inner}--{boundary}--\r\n'


def build_message(email: EmailRequestedV1, from_header: str) -> bytes:
    """The message as sent (``from_header``: ``_address`` of MAIL_FROM, made once): text and HTML
    alternatives, then any attachment, UTF-8 in base64
    (MIME written here: the email package parses and refolds every header in Python, which took
    most of a fan-out's time)."""
    body = _multipart("alternative", [_part('text/plain; charset="utf-8"', email.text.encode()), _part('text/html; charset="utf-8"', email.html.encode())])
    if email.attachments:
        attached = [_attachment(a["content_type"], a["content_base64"], a["filename"]) for a in email.attachments]
        body = _multipart("mixed", [body, *attached])
    headers = {
        # an address outside ASCII goes as it is, in UTF-8 (SMTPUTF8)
        "From": from_header, "To": email.recipient, "Subject": encoded_words(email.subject),
        "Date": formatdate(localtime=False), "Message-ID": f"<{email.message_id}@oppna.malmo.se>", "Content-Language": email.language,
        "Auto-Submitted": "auto-generated", **{name: encoded_words(value) for name, value in email.headers.items()}, "MIME-Version": "1.0",
    }
    return ("".join(f"{name}: {value}\r\n" for name, value in headers.items()) + body).encode()


class SmtpAdapter:
    CONNECTIONS = 4

    def __init__(self, host: str, port: int, mail_from: str, username: str | None = None, password: str | None = None, starttls: bool = False, timeout_s: float = 10):
        self._kw = dict(hostname=host, port=port, username=username, password=password, start_tls=starttls, timeout=timeout_s)
        self._timeout_s = timeout_s
        self._sender = parseaddr(mail_from)[1]  # the envelope's sender
        self._from_header = _address(mail_from)
        self._idle: list[Transactions] = []
        self._slots = asyncio.Semaphore(self.CONNECTIONS)

    async def close(self) -> None:
        while self._idle:
            await self._idle.pop().quit()

    async def _connect(self) -> Transactions:
        """A new connection, greeted (EHLO, else HELO), secured and signed in as configured."""
        smtp = aiosmtplib.SMTP(**self._kw)
        try:
            await smtp.connect()
            if smtp.is_ehlo_or_helo_needed:
                try:
                    await smtp.ehlo()
                except aiosmtplib.SMTPHeloError:
                    await smtp.helo()
            return Transactions.take_over(smtp, self._timeout_s)
        except BaseException:
            smtp.close()
            raise

    async def _transaction(self, recipient: str, message: bytes) -> str:
        async with self._slots:
            connection = self._idle.pop() if self._idle else None
            try:
                if connection is not None:
                    try:
                        reply = await connection.send(self._sender, recipient, message)
                        self._idle.append(connection)
                        return reply
                    except aiosmtplib.SMTPServerDisconnected:  # closed while idle: open one again, once
                        connection.close()
                connection = await self._connect()
                reply = await connection.send(self._sender, recipient, message)
            except BaseException:
                if connection is not None:  # in an unknown state after a refusal or a timeout: not kept
                    await connection.quit()
                raise
            self._idle.append(connection)
            return reply

    async def send(self, email: EmailRequestedV1) -> str:
        """Returns the server's reply to the message; raises Temporary/PermanentFailure."""
        try:
            reply = await self._transaction(email.recipient, build_message(email, self._from_header))
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

