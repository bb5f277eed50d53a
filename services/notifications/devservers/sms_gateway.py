"""The SMS gateway: a small Starlette app under uvicorn speaking the protocol of
``adapters/sms_gateway.py`` (docs/notifications.md), receipts included (see the package's docs)."""

import asyncio
import contextlib
import json
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

from services.notifications.devservers.ports import free_port
from services.notifications.devservers.smtp_sink import SmtpSink

MAX_BATCH = 500  # SMS messages per gateway request, as the protocol allows


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
        if request.method == "GET" and request.query_params.get("counts"):
            return JSONResponse({"email_count": len(self.sink.receptions) if self.sink else 0, "sms_requests": len(self.requests)})
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
