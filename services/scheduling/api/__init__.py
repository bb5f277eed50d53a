"""HTTP edges of scheduling, one router per area; they validate, call a use case, and answer."""

from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.scheduling.planning import ConflictsFound, Planning
from services.scheduling.programme import Programme
from services.scheduling.registrations import Registrations
from services.scheduling.seats import Refused
from services.scheduling.settings import SchedulingSettings
from shared.auth import Authenticator


@dataclass
class Parts:
    """What the routes call, filled in by the composition root once the runtime has started."""

    settings: SchedulingSettings
    auth: Authenticator
    programme: Programme
    planning: Planning | None = None
    registrations: Registrations | None = None


async def _refused(request: Request, exc: Refused) -> JSONResponse:
    return JSONResponse(status_code=exc.status, content={"detail": exc.detail()})


async def _conflicts(request: Request, exc: ConflictsFound) -> JSONResponse:
    """409: every conflict with its rule and reason; the blocking ones made the write fail."""
    detail = [{"field": "schedule", "code": c.rule.value, "message": c.message} for c in exc.conflicts if c.mode.value == "block"]
    return JSONResponse(status_code=409, content={"detail": detail, "conflicts": [c.as_dict() for c in exc.conflicts]})


def install(app: FastAPI, parts: Parts) -> None:
    from services.scheduling.api import editions, pages, programme, registrations, sessions, venues

    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(ConflictsFound, _conflicts)
    for module in (editions, venues, sessions, programme, registrations, pages):
        app.include_router(module.router(parts))
