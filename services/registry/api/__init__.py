"""HTTP edges of the registry, one module-level router per area; routes validate, call a use case or
a query (``deps``), and answer. A decision's refusal raised by a use case becomes its 4xx here."""

from fastapi import Request
from fastapi.responses import JSONResponse

from services.registry.api import contracts, initiatives, review, sources, submissions, vocabularies
from services.registry.domain.refusals import Refused
from shared.http import problem_response

# No path of one router overlaps another's; within ``sources`` the routes with a suffix come first.
routers = [submissions.router, initiatives.router, review.router, sources.router, vocabularies.router, contracts.router]


async def refused_response(request: Request, exc: Refused) -> JSONResponse:
    """A refusal as every refusal reads: ``{"detail": [{field, code, message}]}`` with its status."""
    return problem_response(exc.status, exc.detail())
