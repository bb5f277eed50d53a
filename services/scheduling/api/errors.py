"""How scheduling's refusals and a busy database are answered."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure, ExecutionTimeout

from shared.refusals import Refused
from services.scheduling.usecases.session_planning import ConflictsFound
from shared.db.aggregates import ConcurrentChange
from shared.http import refused_response

BUSY_RETRY_AFTER_S = 2


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


def answer_errors(app: FastAPI) -> None:
    """Refusals as 4xx naming the field, conflicts as 409 listing them, a busy database as 503."""
    app.add_exception_handler(Refused, refused_response)
    app.add_exception_handler(ConflictsFound, _conflicts)
    for busy in (ConnectionFailure, ExecutionTimeout, ConcurrentChange):  # WaitQueueTimeoutError, NetworkTimeout, AutoReconnect are ConnectionFailures
        app.add_exception_handler(busy, _busy)
