"""An organiser's page (signed in with its source's key): its own initiatives, each one's status
and the curator's latest comment (``GET /v1/initiatives?source=`` as that source)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api.deps import RegistryDep, SignedIn
from services.console.api.pages import expect, render

router = APIRouter(include_in_schema=False)


@router.get("/mine")
async def mine(request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    if session.source is None:  # a staff key has no initiatives of its own: nothing to ask
        return render(request, "mine.html", session, items=[], next_cursor=None, staff=True)
    body = expect(await registry.initiatives_of(session.key, session.source, request.query_params.get("cursor")))
    return render(request, "mine.html", session, items=body["items"], next_cursor=body.get("next_cursor"), staff=False)
