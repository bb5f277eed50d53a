"""The survey's comments: a curator reads an initiative's (or a session's) comments and releases
them; the initiative's organiser reads those released. Notifications decides who may read what and
who may release: its refusal is the page shown."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api.deps import NotificationsDep, SignedIn, checked_form
from services.console.api.pages import Refusal, expect, redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/feedback")
async def comments(request: Request, session: SignedIn, notifications: NotificationsDep, initiative: str = "", session_id: str = "") -> Response:
    """``initiative`` or ``session_id``: whose comments are shown (nothing until one is given)."""
    initiative, session_id = initiative.strip(), session_id.strip()
    rows = []
    if initiative or session_id:
        rows = expect(await notifications.comments(session.key, initiative_id=initiative or None, session_id=session_id or None))["comments"]
    rows.sort(key=lambda c: (c["released"], c["answered_on"], c["id"]))
    return render(request, "feedback_comments.html", session, initiative=initiative, session_id=session_id, rows=rows,
                  asked=bool(initiative or session_id))


@router.post("/feedback/{answer_id}/release")
async def release(answer_id: str, request: Request, session: SignedIn, notifications: NotificationsDep) -> Response:
    form = await checked_form(request, session)
    back = f"/feedback?initiative={quote(form.get('initiative', ''), safe='')}" if form.get("initiative") else \
        f"/feedback?session_id={quote(form.get('session_id', ''), safe='')}"
    answer = await notifications.release(session.key, answer_id)
    if not answer.ok:
        raise Refusal(answer)  # no field to show it beside: its page (403 not allowed, 404 not found)
    return redirect(f"{back}#c-{answer_id}")
