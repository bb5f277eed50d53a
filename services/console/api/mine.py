"""An organiser's pages (signed in with its source's key): its own initiatives, each one's status
and the curator's latest comment (``GET /v1/initiatives?source=`` as that source); and its own
sessions with their counts (scheduling's ``GET /v1/my/sessions``), each linking to the door's
check-in (the scheduler's door page: scheduling decides whose key may check in where)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api.deps import RegistryDep, SchedulingDep, SignedIn
from services.console.api.pages import expect, render
from services.console.usecases.scheduler import clock, moment

router = APIRouter(include_in_schema=False)


@router.get("/mine")
async def mine(request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    if session.source is None:  # a staff key has no initiatives of its own: nothing to ask
        return render(request, "mine.html", session, items=[], next_cursor=None, staff=True)
    body = expect(await registry.initiatives_of(session.key, session.source, request.query_params.get("cursor")))
    return render(request, "mine.html", session, items=body["items"], next_cursor=body.get("next_cursor"), staff=False)


@router.get("/mine/sessions")
async def my_sessions(request: Request, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """The publisher's sessions as scheduling lists them for its key (a staff key: scheduling's 403, the not-allowed page)."""
    items = expect(await scheduling.my_sessions(session.key))
    return render(request, "mine_sessions.html", session, items=items, clock=clock, moment=moment)
