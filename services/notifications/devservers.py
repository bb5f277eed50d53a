"""Local stand-ins for development and tests: an SMTP sink and an SMS gateway speaking the protocol.
*Lokala testservrar: en SMTP-mottagare och en sms-gateway som räknar allt de tar emot.*

Both are real servers on 127.0.0.1 (nothing is faked inside the service): the SMTP sink is aiosmtpd's
``Controller`` (a test dependency), the gateway a small Starlette app under uvicorn implementing the batch
protocol in ``adapters/sms_gateway.py`` — including deduplication on ``client_ref`` and one delivery receipt
per message to the service's webhook. ``behaviour`` answers a whole request with garbage (``"garbage"``),
refuses it (``"refuse"``: 400) or fails it temporarily (``"unavailable"``: 503); a non-``+`` number is
refused in its own result.

In-process (tests): ``SmtpSink().start()`` / ``sink.received`` / ``sink.to(address)``, and ``async with
SmsGateway(...).running(): gateway.requests / gateway.messages``; with ``gateway.held = asyncio.Event()`` each
request's messages are recorded, then the request is answered once the test sets the event (a hand-over in progress).

As its own process (the chaos run, benchmarks) — the contract::

    python -m services.notifications.devservers --smtp-port P --sms-port Q [--webhook-url URL] [--smtp-stall-s S]

runs both until SIGTERM (or SIGINT); it prints ``devservers ready smtp=P sms=Q`` on stdout once
both listen. Then:

- ``POST http://127.0.0.1:Q/messages`` — the SMS gateway protocol, 1 to 500 messages a request (docs/notifications.md);
- ``GET http://127.0.0.1:Q/_received`` → 200 JSON, EVERY reception in arrival order, repeats
  included, so duplicates are countable::

      {"emails": [{"message_id": "<the service's message id>", "to": "...", "subject": "..."}, ...],
       "sms": [{"message_id": "<client_ref>", "client_ref": "...", "to": "...", "text": "...",
                "accepted": true}, ...],
       "email_count": <len(emails)>, "sms_requests": <len(sms)>}

  An email's ``message_id`` is read from its ``Message-ID: <{message_id}@oppna.malmo.se>``
  header (``adapters/smtp.py``; the id of ``message_ids.py``, stable across retries and
  restarts); an SMS's is its ``client_ref``. Each message of each batch is one entry (``sms_requests``
  counts messages); ``accepted`` is false for messages refused (non-``+`` number). The gateway
  deduplicates ``client_ref`` for its *answers* and receipts (one gateway id), but lists every one here.
- ``DELETE http://127.0.0.1:Q/_received`` → 204, forgets all receptions (and the dedup table).

``--smtp-stall-s S`` makes the sink wait S seconds before answering each DATA (the message is
recorded only after the wait): a kill of the service during the wait lands while it is sending.
"""

import argparse
import asyncio
import contextlib
import email
import email.header
import email.policy
import json
import re
import signal
import socket
import sys
import uuid
from dataclasses import dataclass, field

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


MAX_BATCH = 500  # SMS messages per gateway request, as the protocol allows
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

    def start(self) -> "SmtpSink":
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
                if sink.stall_s:
                    await asyncio.sleep(sink.stall_s)
                sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                if sink.keep_messages:
                    msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
                    sink.received.append(msg)
                    sink.deliver(msg, envelope.rcpt_tos)
                    headers = msg  # its lookups ignore case, as read_headers' lower-case names
                else:  # three headers only: 100,000 bodies (or full header parses) would cost CPU for nothing
                    headers = read_headers(envelope.content)
                sink.receptions.append({"message_id": service_message_id(headers["message-id"]), "to": str(headers["to"]), "subject": str(headers["subject"])})
                return "250 Message accepted for delivery"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

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


@dataclass
class SmsGateway:
    port: int = field(default_factory=free_port)
    behaviour: str = "ok"  # ok | garbage | refuse | unavailable
    webhook_url: str | None = None
    webhook_secret: str = "dev-webhook-secret"
    messages: dict[str, dict] = field(default_factory=dict)  # by client_ref: sent once
    requests: list[dict] = field(default_factory=list)  # every message of every POST, repeats included
    sink: SmtpSink | None = None  # when set, GET /_received lists its emails too
    receipt_retry_s: float = 120
    held: asyncio.Event | None = None  # tests: when given, each request is recorded, then answered once the event is set

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def received(self) -> dict:
        emails = list(self.sink.receptions) if self.sink else []
        sms = [{"message_id": b.get("client_ref"), "client_ref": b.get("client_ref"), "to": b.get("to"), "text": b.get("text"),
                "accepted": str(b.get("to", "")).startswith("+")} for b in self.requests]
        return {"emails": emails, "sms": sms, "email_count": len(emails), "sms_requests": len(sms)}

    def app(self) -> Starlette:
        """A bare Starlette app (no validation layers): the gateway's cost per message stays small."""
        return Starlette(routes=[Route("/messages", self._send, methods=["POST"]),
                                 Route("/_received", self._received, methods=["GET", "DELETE"])])

    async def _received(self, request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse(self.received())
        self.requests.clear()
        self.messages.clear()
        if self.sink:
            self.sink.clear()
        return Response(status_code=204)

    async def _send(self, request: Request) -> Response:
        """One batch: its messages recorded, then (unless the behaviour fails the whole request) one
        result per message, in order."""
        try:
            batch = json.loads(await request.body())["messages"]
            if not isinstance(batch, list) or not 1 <= len(batch) <= MAX_BATCH or not all(isinstance(m, dict) for m in batch):
                raise ValueError("messages")
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": f"expected {{\"messages\": [1 to {MAX_BATCH} messages]}}"}, status_code=400)
        self.requests.extend(batch)
        if self.held is not None:
            await self.held.wait()
        if self.behaviour == "garbage":
            return PlainTextResponse("<html>Gateway Timeout?? {{{", status_code=200)
        if self.behaviour == "unavailable":
            return JSONResponse({"error": "try later"}, status_code=503)
        if self.behaviour == "refuse":
            return JSONResponse({"error": "invalid destination"}, status_code=400)
        return JSONResponse({"results": [self._accept(m) for m in batch]})

    def _accept(self, message: dict) -> dict:
        """One message's result; a new client_ref is kept (sent once) and gets its receipt."""
        ref = message.get("client_ref")
        if not str(message.get("to", "")).startswith("+"):
            return {"client_ref": ref, "error": "invalid destination", "permanent": True}
        if ref not in self.messages:
            self.messages[ref] = {**message, "id": uuid.uuid4().hex}
            if self.webhook_url:
                asyncio.get_running_loop().create_task(self._receipt(self.messages[ref]))
        return {"client_ref": ref, "id": self.messages[ref]["id"]}

    async def _receipt(self, message: dict) -> None:
        """A delivery receipt to the webhook, retried as providers do while the service is down
        or restarting (its 5xx or a refused connection); given up after about two minutes."""
        await asyncio.sleep(0.05)
        body = {"id": message["id"], "client_ref": message["client_ref"], "status": "delivered"}
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                async for attempt in AsyncRetrying(stop=stop_after_delay(self.receipt_retry_s), wait=wait_exponential(multiplier=0.2, max=10),
                                                   retry=retry_if_exception_type((httpx.TransportError, httpx.HTTPStatusError)), reraise=True):
                    with attempt:
                        answer = await http.post(self.webhook_url, json=body, headers={"x-webhook-secret": self.webhook_secret})
                        if answer.status_code >= 500:
                            answer.raise_for_status()
        except (httpx.TransportError, httpx.HTTPStatusError) as e:
            print(f"sms gateway: receipt for {message['client_ref']} given up: {type(e).__name__}", file=sys.stderr)

    @contextlib.asynccontextmanager
    async def running(self):
        server = uvicorn.Server(uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"))
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        try:
            yield self
        finally:
            server.should_exit = True
            await task


async def serve(smtp_port: int, sms_port: int, webhook_url: str | None, stall_s: float = 0.0) -> None:
    """The standalone process (see the module's docs): both servers until SIGTERM/SIGINT."""
    sink = SmtpSink(port=smtp_port, keep_messages=False, stall_s=stall_s).start()
    gateway = SmsGateway(port=sms_port, webhook_url=webhook_url, sink=sink)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    try:
        async with gateway.running():
            print(f"devservers ready smtp={smtp_port} sms={sms_port}", flush=True)
            await stop.wait()
    finally:
        sink.stop()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m services.notifications.devservers", description=__doc__.split("\n")[0])
    p.add_argument("--smtp-port", type=int, required=True)
    p.add_argument("--sms-port", type=int, required=True)
    p.add_argument("--webhook-url", default=None, help="the service's POST /v1/sms/receipts (receipts are sent when given)")
    p.add_argument("--smtp-stall-s", type=float, default=0.0, help="wait this long before answering each DATA")
    a = p.parse_args(argv)
    asyncio.run(serve(a.smtp_port, a.sms_port, a.webhook_url, a.smtp_stall_s))


if __name__ == "__main__":
    sys.exit(main())
