"""What every service's app has: /healthz (alive), /readyz (Kafka and database answer), /metrics, and
the same answers to bad input (422 naming the field) and to a busy or absent database (503 with
Retry-After, never 500)."""

import asyncio
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from bson.errors import InvalidStringData
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pymongo.errors import ConnectionFailure, ExecutionTimeout, OperationFailure

from shared.db.aggregates import ConcurrentChange
from shared.db.leases import LeaseTimeout
from shared.db.client import ping
from shared.docs import install_docs
from shared.http import problem_response, reason
from shared.openapi import declare_problems
from shared.runtime import Runtime


def app_part(name: str, kind: type) -> Any:
    """``Annotated[kind, …]`` for a route's argument: the part its service's composition root put
    on ``app.state`` under ``name`` (a use case, a query, the settings)."""

    def part(request: Request) -> Any:
        return getattr(request.app.state, name)

    part.__name__ = name  # one dependency per part in FastAPI's cache and in tracebacks
    return Annotated[kind, Depends(part)]


def ops_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict:
        return {"status": "ok", "service": runtime.settings.service_name}

    @router.get("/readyz", summary="Kafka and the database answer, and every consumer runs", responses={503: {
        "description": "Not ready: says which part does not answer", "content": {"application/json": {"schema": {"type": "object"}}}}})
    async def readyz(response: Response) -> dict:
        db_ok = runtime.db is not None and await asyncio.wait_for(ping(runtime.db), timeout=3)
        kafka_ok = runtime.producer is not None and await runtime.producer.ready()
        consumers_ok = all(r.healthy() for r in runtime.runners)
        ready = db_ok and kafka_ok and consumers_ok
        response.status_code = 200 if ready else 503
        return {"status": "ready" if ready else "not ready", "database": db_ok, "kafka": kafka_ok, "consumers": consumers_ok}

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with each field named as a dotted path and a stable code, like a dead letter's reasons."""
    reasons = [reason(".".join(str(p) for p in e["loc"] if p != "body"), e["type"], e["msg"]) for e in exc.errors()]
    return problem_response(422, reasons)


# No scripts at all; styles may be inline (the programme page and the dashboard carry a <style>
# block, template previews carry style attributes); forms post only to this service.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


class _TooLarge(HTTPException):
    """Raised while the body streams in: an HTTPException, so FastAPI's body parsing lets it
    through and the app's handler answers 413 with the reason (or this middleware does)."""

    def __init__(self, limit: int):
        super().__init__(413, detail=json.loads(_too_large_body(limit))["detail"])


def _too_large_body(limit: int) -> bytes:
    message = f"The request body is larger than {limit} bytes"
    return json.dumps({"detail": [reason("body", "too_large", message)]}).encode()


class EdgeMiddleware:
    """Every HTTP answer gets the security headers; a request body above ``max_body_bytes`` is
    refused with 413, by its Content-Length before anything reads it, and by the bytes actually
    streamed otherwise (chunked bodies, lying Content-Length)."""

    def __init__(self, app, max_body_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.max_body_bytes
        started = False

        async def send_with_headers(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        async def refuse() -> None:
            body = _too_large_body(limit)
            await send_with_headers({"type": "http.response.start", "status": 413, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": body})

        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    declared = int(v)
                except ValueError:
                    declared = -1
                if declared > limit:
                    return await refuse()
        received = 0

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
            return message

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except _TooLarge:
            if started:
                raise
            await refuse()


def _is_unstorable_text(exc: Exception) -> bool:
    """The database refused a string: NUL (PostgreSQL under FerretDB: SQLSTATE 22P05) or a lone
    surrogate (not encodable as UTF-8, so not as BSON either)."""
    return isinstance(exc, (UnicodeEncodeError, InvalidStringData)) or "22P05" in str(exc)


def _is_over_time(exc: Exception) -> bool:
    """The database gave up on a query at its time limit: MongoDB's MaxTimeMSExpired (code 50), or
    FerretDB's InternalError naming its handleMaxTimeMSError — busy, like ``ExecutionTimeout``."""
    return getattr(exc, "code", None) == 50 or "handleMaxTimeMSError" in str(exc)


async def _unstorable_text(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, OperationFailure) and _is_over_time(exc):
        return await _busy(request, exc)
    if not _is_unstorable_text(exc):
        raise exc
    return problem_response(422, [reason("", "forbidden_character", "Text holds U+0000 or a lone surrogate")])


BUSY_RETRY_AFTER_S = 2
# The database saturated or away: the pool's wait timed out, a timeout, a lost connection
# (WaitQueueTimeoutError, NetworkTimeout, AutoReconnect are ConnectionFailures), a hot aggregate
# kept changing under the retries, or its write lease was not free in time.
BUSY = (ConnectionFailure, ExecutionTimeout, ConcurrentChange, LeaseTimeout)


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    """503 with Retry-After, never 500: the request did not happen or, if it did, a repeat (with
    the same Idempotency-Key where a route takes one) finds it."""
    detail = [reason("service", "busy", "Busy, try again shortly / Upptaget, försök igen om en stund")]
    return JSONResponse(status_code=503, content={"detail": detail}, headers={"Retry-After": str(BUSY_RETRY_AFTER_S), "Cache-Control": "no-store"})


def create_service_app(runtime: Runtime, title: str, description: str) -> FastAPI:
    """A service's app: the runtime's lifespan (start-up work is the runtime's ``on_start`` hooks),
    the shared middleware, error handlers and operations routes."""
    # FastAPI's own /docs and /redoc load from a CDN; /docs is served offline instead (shared/docs.py).
    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=runtime.lifespan,
                  docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None)
    install_docs(app)
    app.add_middleware(EdgeMiddleware, max_body_bytes=runtime.settings.max_body_bytes)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for exc in (OperationFailure, InvalidStringData, UnicodeEncodeError):
        app.add_exception_handler(exc, _unstorable_text)
    for busy in BUSY:
        app.add_exception_handler(busy, _busy)
    app.include_router(ops_router(runtime))
    declare_problems(app)
    app.state.runtime = runtime
    return app
