"""The scheduler's pages: an edition's sessions by day and venue with its conflicts, a session's
registrations and waiting list (codes, never contacts), and the check-in at the door.

Every page is scheduling's answer to the signed-in key (docs/scheduling.md): the console decides
nothing about who may see or check in — a key scheduling refuses gets the not-allowed page. The
door's form posts the code and redirects (303) to the door page saying what scheduling answered;
a refusal of the code (unknown, not open yet, closed, …) is shown at once, beside the field.
"""

import asyncio
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.adapters.scheduling import Scheduling
from services.console.api.deps import SchedulingDep, SignedIn, checked_form
from services.console.api.pages import Refusal, expect, redirect, render
from services.console.usecases import scheduler as shown
from services.console.usecases.sessions import Session

router = APIRouter(prefix="/schedule", include_in_schema=False)
SHOWN = {"by_day": shown.by_day_and_venue, "clock": shown.clock, "moment": shown.moment}


@router.get("")
async def sessions(request: Request, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """An edition chosen from the list (the only one, when there is one), its sessions and conflicts."""
    editions = expect(await scheduling.editions(session.key))
    chosen = request.query_params.get("edition") or (editions[0]["edition_id"] if len(editions) == 1 else "")
    listed, found = [], None
    if chosen:
        of_edition, conflicts = await asyncio.gather(scheduling.sessions(session.key, chosen), scheduling.conflicts(session.key, chosen))
        listed, found = expect(of_edition), expect(conflicts)
    titles = {s["session_id"]: s.get("title") or {} for s in listed}
    return render(request, "scheduler_sessions.html", session, editions=editions, chosen=chosen, days=shown.by_day_and_venue(listed),
                  conflicts=found, titles=titles, **SHOWN)


@router.get("/sessions/{session_id}")
async def session_page(request: Request, session_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """A session's registrations in order (status, party size, code) and its waiting list in order."""
    one, listed = await asyncio.gather(scheduling.session(session.key, session_id), scheduling.registrations(session.key, session_id))
    registrations, waiting = shown.registrations_and_waiting_list(expect(listed))
    return render(request, "scheduler_session.html", session, s=expect(one), registrations=registrations, waiting=waiting, **SHOWN)


async def _door(request: Request, session: Session, scheduling: Scheduling, session_id: str, outcome: shown.DoorOutcome | None, status: int = 200) -> Response:
    s = expect(await scheduling.session(session.key, session_id))
    return render(request, "scheduler_door.html", session, status, s=s, outcome=outcome, **SHOWN)


@router.get("/sessions/{session_id}/door")
async def door(request: Request, session_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """The door's code field, and what scheduling answered to the last code (after the redirect)."""
    q = request.query_params
    outcome = None
    if q.get("done") in ("checked_in", "already"):
        party = q.get("party", "")
        outcome = shown.DoorOutcome(q["done"], q.get("code", "")[:12], int(party) if party.isdigit() else None)
    return await _door(request, session, scheduling, session_id, outcome)


@router.post("/sessions/{session_id}/door")
async def check_in(request: Request, session_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """The code to scheduling; checked in (or already) → 303 to the door page saying so; a refusal
    naming the code or the door's hours → the door page with it beside the field."""
    form = await checked_form(request, session)
    code = form.get("code", "").strip()
    answer = await scheduling.check_in(session.key, session_id, code)
    if answer.ok:
        outcome = shown.checked_in(answer.body)
        query = urlencode({"done": outcome.kind, "code": outcome.code, "party": outcome.party_size or ""})
        return redirect(f"/schedule/sessions/{session_id}/door?{query}")
    reasons = answer.reasons()
    if answer.status not in (404, 409, 422) or reasons[0].get("field") == "session_id":
        raise Refusal(answer)
    return await _door(request, session, scheduling, session_id, shown.refused(code, reasons), answer.status)
