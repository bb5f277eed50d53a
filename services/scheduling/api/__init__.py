"""HTTP edges of scheduling, one router per area; they validate, call a use case, and answer."""

from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure, ExecutionTimeout

from services.scheduling.planning import Planning
from services.scheduling.programme import Programme
from services.scheduling.rendered import FastPath, Rendered
from services.scheduling.registrations import Registrations
from services.scheduling.seats import Refused
from services.scheduling.session_planning import ConflictsFound
from services.scheduling.settings import SchedulingSettings
from shared.auth import Authenticator
from shared.db.aggregates import ConcurrentChange
from shared.http import problem_response
from shared.vocabularies import VocabularyCopies

BUSY_RETRY_AFTER_S = 2


@dataclass
class Parts:
    """What the routes call, filled in by the composition root once the runtime has started."""

    settings: SchedulingSettings
    auth: Authenticator
    programme: Programme
    planning: Planning | None = None
    registrations: Registrations | None = None
    rendered: Rendered | None = None  # the programme's rendered representations (set by its router)
    vocabularies: VocabularyCopies | None = None  # the registry's vocabularies, followed (labels on the page)


async def _refused(request: Request, exc: Refused) -> JSONResponse:
    return problem_response(exc.status, exc.detail())


async def _conflicts(request: Request, exc: ConflictsFound) -> JSONResponse:
    """409: every conflict with its rule and reason; the blocking ones made the write fail."""
    detail = [{"field": "schedule", "code": c.rule.value, "message": c.message} for c in exc.conflicts if c.mode.value == "block"]
    return JSONResponse(status_code=409, content={"detail": detail, "conflicts": [c.as_dict() for c in exc.conflicts]})


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    """503 with Retry-After, never 500, when the database is saturated or away (the pool's wait
    timed out, a timeout, a lost connection) or a hot aggregate kept changing under the retries:
    the request did not happen or, if it did, a repeat with the same Idempotency-Key finds it."""
    detail = [{"field": "service", "code": "busy", "message": "Busy, try again shortly / Upptaget, försök igen om en stund"}]
    return JSONResponse(status_code=503, content={"detail": detail}, headers={"Retry-After": str(BUSY_RETRY_AFTER_S), "Cache-Control": "no-store"})


def install(app: FastAPI, parts: Parts) -> None:
    from services.scheduling.api import editions, pages, programme, registrations, sessions, venues

    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(ConflictsFound, _conflicts)
    for busy in (ConnectionFailure, ExecutionTimeout, ConcurrentChange):  # WaitQueueTimeoutError, NetworkTimeout, AutoReconnect are ConnectionFailures
        app.add_exception_handler(busy, _busy)
    for module in (editions, venues, sessions, programme, registrations, pages):
        app.include_router(module.router(parts))
    # the public feeds answered from their rendered bytes before routing (rendered.py)
    app.add_middleware(FastPath, rendered=lambda: parts.rendered, prefix="/v1/programme")
