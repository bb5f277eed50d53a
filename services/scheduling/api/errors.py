"""How scheduling's refusals and conflicts are answered (a busy database: shared/web.py, 503)."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.refusals import Refused
from services.scheduling.usecases.session_planning import ConflictsFound
from shared.http import refused_response


async def _conflicts(request: Request, exc: ConflictsFound) -> JSONResponse:
    """409: every conflict with its rule and reason; the blocking ones made the write fail."""
    detail = [{"field": "schedule", "code": c.rule.value, "message": c.message} for c in exc.conflicts if c.mode.value == "block"]
    return JSONResponse(status_code=409, content={"detail": detail, "conflicts": [c.as_dict() for c in exc.conflicts]})


def answer_errors(app: FastAPI) -> None:
    """Refusals as 4xx naming the field, conflicts as 409 listing them."""
    app.add_exception_handler(Refused, refused_response)
    app.add_exception_handler(ConflictsFound, _conflicts)
