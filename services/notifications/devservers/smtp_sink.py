"""The SMTP sink on 127.0.0.1, keeping what it accepted (see the package's docs): aiosmtpd in a thread
of its own in process (``start``), ``smtp_server`` on the event loop in the standalone process (``serve``)."""

import asyncio
import email
import email.header
import email.policy
import re

from services.notifications.devservers import smtp_server
from services.notifications.devservers.ports import free_port

MESSAGE_ID = re.compile(r"<?([^@<>\s]+)@")


def service_message_id(header: str | None) -> str | None:
    """``<{message_id}@oppna.malmo.se>`` → ``{message_id}`` (the notifications service's own id)."""
    found = MESSAGE_ID.search(header or "")
    return found.group(1) if found else None


def read_headers(content: bytes, names: tuple[str, ...] = ("message-id", "to", "subject")) -> dict[str, str | None]:
    """The first value of each named header (lower-case) in the header block (up to the first blank
    line), unfolded, RFC 2047 encoded-words decoded where present: for these headers what the full
    parse with ``email.policy.default`` gives, at a fraction of its cost."""
    block = re.split(rb"\r?\n\r?\n", content, maxsplit=1)[0].decode("utf-8", "replace")
    found: dict[str, str | None] = dict.fromkeys(names)
    name = None
    for line in re.split(r"\r?\n", block):
        if line[:1] in (" ", "\t"):  # a folded line continues its header
            if name is not None:
                found[name] += line
            continue
        field_name, colon, value = line.partition(":")
        name = field_name.strip().lower() if colon else None
        if found.get(name, "") is None:  # wanted and not yet seen: the first one counts
            found[name] = value.lstrip(" \t")
        else:
            name = None
    return {key: value if value is None else _decoded(value.strip()) for key, value in found.items()}


def _decoded(value: str) -> str:
    return str(email.header.make_header(email.header.decode_header(value))) if "=?" in value else value


class SmtpSink:
    """aiosmtpd on 127.0.0.1:<port>, keeping every message it accepted (parsed), repeats included,
    and the mailboxes those messages land in.

    ``received`` is every transmission. ``delivered`` is what the recipients' mailboxes hold: one
    copy per recipient and ``Message-ID``, because a Message-ID names one message (RFC 5322
    §3.6.4) and mail stores drop a repeat of it (Exchange's duplicate detection, Gmail). That is the
    e-mail counterpart of the SMS gateway's ``client_ref``: plain SMTP cannot tell a sender whether a
    message whose ``250`` it never saw was taken, so a resend after a crash must carry the same id.
    ``repeats`` counts the transmissions a mailbox dropped.

    ``keep_messages=False`` (the standalone process, benchmarks) reads three headers only (``read_headers``)
    and keeps just ``receptions``; ``stall_s`` delays each DATA answer (a kill lands while sending)."""

    def __init__(self, port: int | None = None, keep_messages: bool = True, stall_s: float = 0.0):
        self.port = port or free_port()
        self.keep_messages = keep_messages
        self.stall_s = stall_s
        self.received: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.receptions: list[dict] = []  # {"message_id", "to", "subject"} per accepted DATA
        self.delivered: dict[tuple[str, str], email.message.EmailMessage] = {}  # (recipient, Message-ID) → first copy
        self.repeats = 0
        self._controller = None
        self._server: asyncio.Server | None = None

    def start(self) -> "SmtpSink":
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
                return await sink.take(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    async def serve(self) -> "SmtpSink":
        """The sink on the running event loop, served by ``smtp_server`` (the standalone process:
        a fan-out's tens of thousands of messages at a fraction of aiosmtpd's CPU); ``aclose`` ends it."""
        self._server = await smtp_server.serve(self.port, self.take)
        return self

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def take(self, mail_from: str, recipients: list[str], content: bytes) -> str:
        """One message accepted (after ``stall_s``): kept as the sink keeps them; the reply's line."""
        if self.stall_s:
            await asyncio.sleep(self.stall_s)
        self.envelopes.append((mail_from, recipients))
        if self.keep_messages:
            msg = email.message_from_bytes(content, policy=email.policy.default)
            self.received.append(msg)
            self.deliver(msg, recipients)
            headers = msg  # its lookups ignore case, as read_headers' lower-case names
        else:  # three headers only: 100,000 bodies (or full header parses) would cost CPU for nothing
            headers = read_headers(content)
        self.receptions.append({"message_id": service_message_id(headers["message-id"]), "to": str(headers["to"]), "subject": str(headers["subject"])})
        return "250 Message accepted for delivery"

    def deliver(self, msg: email.message.EmailMessage, recipients: list[str]) -> None:
        for address in recipients:
            key = (address.lower(), str(msg["Message-ID"]))
            if key in self.delivered:
                self.repeats += 1
            else:
                self.delivered[key] = msg

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.received if address in str(m["To"])]

    def clear(self) -> None:
        self.received.clear()
        self.envelopes.clear()
        self.receptions.clear()
        self.delivered.clear()
        self.repeats = 0
