"""A kept SMTP connection's mail transactions, their commands pipelined (RFC 2920) where offered.

aiosmtplib opens the connection — greeting, EHLO, STARTTLS, AUTH — and ``Transactions.take_over``
then speaks on its transport: each message is MAIL, RCPT and DATA written together and their
three replies read, then the message and its reply — two round trips instead of four. A server
that does not offer ``PIPELINING`` gets one command at a time. Errors are aiosmtplib's (the
adapter's callers know them): a refused sender ``SMTPSenderRefused``, a refused recipient
``SMTPRecipientsRefused``, DATA ``SMTPDataError``, a lost connection ``SMTPServerDisconnected``, no
reply in time ``SMTPReadTimeoutError``. After any of them the connection is not used again.
"""

import asyncio
import re
from collections import deque

import aiosmtplib

LINE_ENDINGS = re.compile(rb"\r\n|\r|\n")
LEADING_DOT = re.compile(rb"(?m)^\.")


def data_section(message: bytes) -> bytes:
    """The message as DATA sends it: every line ending CRLF, a leading dot doubled, the final ``.``."""
    message = LINE_ENDINGS.sub(b"\r\n", message)
    if not message.endswith(b"\r\n"):
        message += b"\r\n"
    return LEADING_DOT.sub(b"..", message) + b".\r\n"


class Transactions(asyncio.Protocol):
    """One connection's replies, read in the order its commands went; ``send`` one message at a
    time (the adapter holds a connection for one transaction)."""

    def __init__(self, transport: asyncio.Transport, timeout_s: float, pipelining: bool, size: bool, smtputf8: bool):
        self.transport, self.timeout_s = transport, timeout_s
        self.pipelining, self.size, self.smtputf8 = pipelining, size, smtputf8
        self.buffer = bytearray()
        self.lines: list[bytes] = []  # the lines of a reply not yet complete
        self.waiting: deque[asyncio.Future] = deque()
        self.lost = False

    @classmethod
    def take_over(cls, smtp: aiosmtplib.SMTP, timeout_s: float) -> "Transactions":
        """The transactions of ``smtp``'s connection, once it is greeted (and secured, and signed
        in); ``smtp`` itself is not used again."""
        transport = smtp.transport
        if transport is None or transport.is_closing():
            raise aiosmtplib.SMTPServerDisconnected("Connection lost")
        ext = smtp.supports_extension
        protocol = cls(transport, timeout_s, ext("pipelining"), ext("size"), ext("smtputf8"))
        transport.set_protocol(protocol)
        return protocol

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n")) != -1:
            line = bytes(self.buffer[:end])
            del self.buffer[:end + 2]
            self.lines.append(line)
            if line[3:4] != b"-":  # the reply's last line
                reply, self.lines = self.lines, []
                if self.waiting and not (waiter := self.waiting.popleft()).done():
                    waiter.set_result(_reply(reply))

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_exception(aiosmtplib.SMTPServerDisconnected("Connection lost"))
                waiter.exception()  # retrieved: nobody may wait for it any more

    def _write(self, data: bytes, replies: int) -> list[asyncio.Future]:
        if self.lost or self.transport.is_closing():
            raise aiosmtplib.SMTPServerDisconnected("Connection lost")
        loop = asyncio.get_running_loop()
        waiters = [loop.create_future() for _ in range(replies)]
        self.waiting.extend(waiters)
        self.transport.write(data)
        return waiters

    async def _replies(self, waiters: list[asyncio.Future]) -> list[aiosmtplib.SMTPResponse]:
        try:
            async with asyncio.timeout(self.timeout_s):
                return [await w for w in waiters]
        except TimeoutError:
            self.close()
            raise aiosmtplib.SMTPReadTimeoutError("Timed out waiting for server response") from None

    async def send(self, sender: str, recipient: str, message: bytes) -> str:
        """One message to one recipient; the server's reply to it."""
        utf8 = not (sender + recipient).isascii()
        if utf8 and not self.smtputf8:
            raise aiosmtplib.SMTPNotSupported("SMTPUTF8 is not supported by this server")
        body = data_section(message)
        options = (b" SIZE=%d" % (len(body) - 3) if self.size else b"") + (b" SMTPUTF8" if utf8 else b"")
        encoding = "utf-8" if utf8 else "ascii"
        commands = [b"MAIL FROM:<" + sender.encode(encoding) + b">" + options, b"RCPT TO:<" + recipient.encode(encoding) + b">", b"DATA"]
        if any(b"\r" in c or b"\n" in c for c in commands):
            raise ValueError("an address with a line break")
        if self.pipelining:
            mail, rcpt, data = await self._replies(self._write(b"".join(c + b"\r\n" for c in commands), 3))
            try:
                _check(mail, rcpt, data, sender, recipient)
            except aiosmtplib.SMTPException:
                if data.code == 354:
                    self.close()  # the server waits for a message that will not come
                raise
        else:
            for command, check in zip(commands, (_mail, _rcpt, _data), strict=True):
                check(*await self._replies(self._write(command + b"\r\n", 1)), sender, recipient)
        [done] = await self._replies(self._write(body, 1))
        if done.code != 250:
            raise aiosmtplib.SMTPDataError(done.code, done.message)
        return done.message

    async def quit(self) -> None:
        try:
            if not self.lost and not self.transport.is_closing():
                async with asyncio.timeout(2):
                    await self._write(b"QUIT\r\n", 1)[0]
        except Exception:  # noqa: BLE001 — a connection that is going anyway
            pass
        self.close()

    def close(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()


def _reply(lines: list[bytes]) -> aiosmtplib.SMTPResponse:
    try:
        code = int(lines[-1][:3])
    except ValueError:
        code = -1
    return aiosmtplib.SMTPResponse(code, "\n".join(line[4:].decode("utf-8", "surrogateescape").strip() for line in lines))


def _mail(reply: aiosmtplib.SMTPResponse, sender: str, _recipient: str) -> None:
    if reply.code != 250:
        raise aiosmtplib.SMTPSenderRefused(reply.code, reply.message, sender)


def _rcpt(reply: aiosmtplib.SMTPResponse, _sender: str, recipient: str) -> None:
    if reply.code not in (250, 251):
        raise aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(reply.code, reply.message, recipient)])


def _data(reply: aiosmtplib.SMTPResponse, _sender: str, _recipient: str) -> None:
    if reply.code != 354:
        raise aiosmtplib.SMTPDataError(reply.code, reply.message)


def _check(mail, rcpt, data, sender: str, recipient: str) -> None:
    """The three replies of a pipelined MAIL, RCPT, DATA, the first refusal counting (a server
    refuses DATA after a refused RCPT; a 354 after one is left unanswered: the connection closes)."""
    _mail(mail, sender, recipient)
    _rcpt(rcpt, sender, recipient)
    _data(data, sender, recipient)
