"""A small SMTP server (RFC 5321) on asyncio's event loop, for the standalone devservers process.

It speaks what a sender needs of a receiving server — greeting, ``EHLO``/``HELO``, ``MAIL``,
``RCPT``, ``DATA`` with dot-stuffing undone, ``RSET``, ``NOOP``, ``VRFY``, ``QUIT`` — in order
(``503`` for a command out of sequence, ``500`` for an unknown one), and offers ``PIPELINING``,
``8BITMIME``, ``SMTPUTF8`` and ``SIZE``. Each message's DATA goes to ``accept(mail_from,
recipients, content)``, a coroutine whose answer is the reply line (e.g. ``250 …``); the commands
pipelined after it wait for that answer, in order.

Why not aiosmtpd (which the in-process ``SmtpSink`` still runs in its thread): a fan-out hands
tens of thousands of messages to this process, and aiosmtpd's parsing of every address and line
in Python cost more CPU per message than the service's own hand-over. This server does no more per
message than the protocol asks (docs/decisions/0009-fan-out-pages.md).
"""

import asyncio
from collections.abc import Awaitable, Callable

Accept = Callable[[str, list[str], bytes], Awaitable[str]]
MAX_SIZE = 32 * 1024 * 1024  # SIZE offered; a bigger message is refused (552)
MAX_LINE = 4096  # a command line longer than this is refused (500)
HOST = "127.0.0.1"


def _address(arg: str, prefix: str) -> str | None:
    """``FROM:<a@b> SIZE=…`` → ``a@b`` (``<>`` → ""); None if it is not of that form."""
    if not arg[: len(prefix)].upper() == prefix:
        return None
    rest = arg[len(prefix):].strip()
    if not rest.startswith("<") or ">" not in rest:
        return None
    return rest[1:rest.index(">")]


def unstuff(data: bytes) -> bytes:
    """The message as sent, from the lines of a DATA section up to (not with) its final ``.``."""
    if data.startswith(b".."):
        data = data[1:]
    return data.replace(b"\r\n..", b"\r\n.")


class SmtpProtocol(asyncio.Protocol):
    """One connection: commands answered in order, a message's DATA handed to ``accept``."""

    def __init__(self, accept: Accept):
        self.accept = accept
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.greeted = False
        self.mail_from: str | None = None
        self.recipients: list[str] = []
        self.in_data = False
        self.busy = False  # a message's answer awaited: the lines after it wait

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(f"220 {HOST} ESMTP Öppna Malmö test sink\r\n".encode())

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.busy:
            self._work()

    def _reply(self, line: str) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(line.encode() + b"\r\n")

    def _work(self) -> None:
        while not self.busy and self.transport is not None and not self.transport.is_closing():
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n") if not self.buffer.startswith(b".\r\n") else -2
                if end == -1:
                    return
                content = b"" if end == -2 else unstuff(bytes(self.buffer[:end + 2]))
                del self.buffer[:3 if end == -2 else end + 5]
                self.in_data = False
                self._message(content)
                continue
            end = self.buffer.find(b"\r\n")
            if end == -1:
                if len(self.buffer) > MAX_LINE:
                    self.buffer.clear()
                    self._reply("500 Error: line too long")
                return
            line = bytes(self.buffer[:end]).decode("utf-8", "replace")
            del self.buffer[:end + 2]
            self._command(line)

    def _message(self, content: bytes) -> None:
        mail_from, recipients = self.mail_from or "", self.recipients
        self.mail_from, self.recipients = None, []
        if len(content) > MAX_SIZE:
            self._reply("552 Error: too much mail data")
            return
        self.busy = True
        asyncio.get_running_loop().create_task(self._answer(mail_from, recipients, content))

    async def _answer(self, mail_from: str, recipients: list[str], content: bytes) -> None:
        try:
            self._reply(await self.accept(mail_from, recipients, content))
        except Exception:  # noqa: BLE001 — the sender hears of it as a temporary failure
            self._reply("451 Error: local error in processing")
        self.busy = False
        self._work()

    def _command(self, line: str) -> None:
        verb, _, arg = line.partition(" ")
        verb = verb.upper()
        if verb == "EHLO":
            self.greeted, self.mail_from, self.recipients = True, None, []
            self._reply(f"250-{HOST}\r\n250-SIZE {MAX_SIZE}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-PIPELINING\r\n250 HELP")
        elif verb == "HELO":
            self.greeted, self.mail_from, self.recipients = True, None, []
            self._reply(f"250 {HOST}")
        elif verb == "MAIL":
            self._mail(arg)
        elif verb == "RCPT":
            self._rcpt(arg)
        elif verb == "DATA":
            if not self.recipients:
                self._reply("503 Error: need RCPT command")
            else:
                self.in_data = True
                self._reply("354 End data with <CR><LF>.<CR><LF>")
        elif verb == "RSET":
            self.mail_from, self.recipients = None, []
            self._reply("250 OK")
        elif verb == "NOOP":
            self._reply("250 OK")
        elif verb == "VRFY":
            self._reply("252 Cannot VRFY user, but will accept message and attempt delivery")
        elif verb == "QUIT":
            self._reply("221 Bye")
            self.transport.close()
        else:
            self._reply(f'500 Error: command "{verb[:20]}" not recognized')

    def _mail(self, arg: str) -> None:
        address = _address(arg, "FROM:")
        if not self.greeted:
            self._reply("503 Error: send HELO first")
        elif self.mail_from is not None:
            self._reply("503 Error: nested MAIL command")
        elif address is None:
            self._reply("501 Syntax: MAIL FROM: <address>")
        else:
            self.mail_from = address
            self._reply("250 OK")

    def _rcpt(self, arg: str) -> None:
        address = _address(arg, "TO:")
        if self.mail_from is None:
            self._reply("503 Error: need MAIL command")
        elif not address:
            self._reply("501 Syntax: RCPT TO: <address>")
        else:
            self.recipients.append(address)
            self._reply("250 OK")


async def serve(port: int, accept: Accept) -> asyncio.Server:
    """The server listening on 127.0.0.1:``port`` (close it with ``close()``/``wait_closed()``)."""
    return await asyncio.get_running_loop().create_server(lambda: SmtpProtocol(accept), HOST, port)
