"""Local stand-ins for development and tests: an SMTP sink and an SMS gateway speaking the protocol.

Both are real servers on 127.0.0.1 (nothing is faked inside the service): the SMTP sink is
aiosmtpd's ``Controller`` (a test dependency), the gateway a small FastAPI app under uvicorn
implementing the protocol in ``adapters/sms_gateway.py`` — including deduplication on
``client_ref`` and delivery receipts to the service's webhook. ``behaviour`` makes it answer
garbage (``"garbage"``), refuse (``"refuse"``) or fail temporarily (``"unavailable"``).
"""

import asyncio
import contextlib
import email
import email.policy
import socket
import uuid
from dataclasses import dataclass, field

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """aiosmtpd on 127.0.0.1:<port>, keeping every message it accepted (parsed)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.received: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._controller = None

    def start(self) -> "SmtpSink":
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
                sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                sink.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
                return "250 Message accepted for delivery"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.received if address in str(m["To"])]


@dataclass
class SmsGateway:
    port: int = field(default_factory=free_port)
    behaviour: str = "ok"  # ok | garbage | refuse | unavailable
    webhook_url: str | None = None
    webhook_secret: str = "dev-webhook-secret"
    messages: dict[str, dict] = field(default_factory=dict)  # by client_ref: sent once
    requests: list[dict] = field(default_factory=list)  # every POST, repeats included

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/messages")
        async def send(request: Request):
            body = await request.json()
            self.requests.append(body)
            if self.behaviour == "garbage":
                return PlainTextResponse("<html>Gateway Timeout?? {{{", status_code=200)
            if self.behaviour == "unavailable":
                return JSONResponse({"error": "try later"}, status_code=503)
            if self.behaviour == "refuse" or not str(body.get("to", "")).startswith("+"):
                return JSONResponse({"error": "invalid destination"}, status_code=400)
            ref = body["client_ref"]
            if ref not in self.messages:
                self.messages[ref] = {**body, "id": uuid.uuid4().hex}
                if self.webhook_url:
                    asyncio.get_running_loop().create_task(self._receipt(self.messages[ref]))
            return JSONResponse({"id": self.messages[ref]["id"]}, status_code=202)

        return app

    async def _receipt(self, message: dict) -> None:
        await asyncio.sleep(0.05)
        async with httpx.AsyncClient(timeout=10) as http:
            await http.post(self.webhook_url, json={"id": message["id"], "client_ref": message["client_ref"], "status": "delivered"},
                            headers={"x-webhook-secret": self.webhook_secret})

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
