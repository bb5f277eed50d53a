"""The scheduler's planning pages: editions (set up, change), the automatic placement (proposed,
shown, then accepted as shown) and publishing the programme.

Every action is scheduling's REST call with the signed-in key (docs/scheduling.md); the console
decides nothing about who may do it or whether a form is right: a 409/422 is shown beside the
field it names (what was typed kept), a 403 is the not-allowed page. The proposal is asked for on
its page's GET (scheduling's ``POST …/placement`` writes nothing) and shown in full — each
session, its day, time and venue, every warning with its reason — with the placements in the
accept form's hidden fields, so "Accept" sends scheduling the proposal exactly as shown.
"""

import asyncio
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.adapters.scheduling import Scheduling
from services.console.api.deps import SchedulingDep, SignedIn, checked_form
from services.console.api.pages import answered, expect, redirect, render
from services.console.usecases import planning as forms
from services.console.usecases.form_fields import beside, chosen_of
from services.console.usecases import scheduler as shown
from services.console.usecases.sessions import Session

router = APIRouter(include_in_schema=False)
SHOWN = {"clock": shown.clock, "moment": shown.moment, "day_of": shown.local}


def page_of(edition_id: str) -> str:
    return f"/plan/editions/{quote(edition_id, safe='')}"


async def _editions_page(request: Request, session: Session, scheduling: Scheduling, status: int = 200,
                         chosen: forms.Chosen | None = None, reasons: list[dict] | None = None) -> Response:
    editions = expect(await scheduling.editions(session.key))
    return render(request, "planning_editions.html", session, status, editions=editions, chosen=chosen or {}, reasons=reasons or [],
                  page_of=page_of)


@router.get("/plan")
async def editions(request: Request, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """Every edition, and the form that sets up a new one."""
    return await _editions_page(request, session, scheduling)


@router.post("/plan/editions")
async def plan(request: Request, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """``POST /v1/editions``: planned → 303 to its page; a refusal beside its field."""
    form = await checked_form(request, session)
    answer = await scheduling.plan_edition(session.key, forms.edition_body(form, new=True))
    return await answered(answer, lambda body: f"{page_of(body['edition_id'])}?done=planned",
                          lambda status, reasons: _editions_page(request, session, scheduling, status, chosen_of(form),
                                                                 beside(reasons, forms.EDITION_FIELDS)))


async def _edition_page(request: Request, session: Session, scheduling: Scheduling, edition_id: str, status: int = 200,
                        chosen: forms.Chosen | None = None, reasons: list[dict] | None = None) -> Response:
    edition = expect(await scheduling.edition(session.key, edition_id))
    q = request.query_params
    done = q.get("done") if q.get("done") in ("planned", "changed", "published", "accepted", "session_added") else None
    counts = {k: int(q[k]) for k in ("accepted", "refused") if q.get(k, "").isdigit()}
    return render(request, "planning_edition.html", session, status, e=edition, chosen=chosen or forms.edition_chosen(edition),
                  reasons=reasons or [], done=done, counts=counts, page_of=page_of)


@router.get("/plan/editions/{edition_id}")
async def edition(request: Request, edition_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """The edition's facts and its change form, and the ways on: placement, publishing, sessions."""
    return await _edition_page(request, session, scheduling, edition_id)


@router.post("/plan/editions/{edition_id}")
async def change(request: Request, edition_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """``PATCH /v1/editions/{id}`` with the form's fields: changed → 303; a refusal beside its field."""
    form = await checked_form(request, session)
    answer = await scheduling.change_edition(session.key, edition_id, forms.edition_body(form, new=False))
    return await answered(answer, lambda _: f"{page_of(edition_id)}?done=changed",
                          lambda status, reasons: _edition_page(request, session, scheduling, edition_id, status, chosen_of(form),
                                                                beside(reasons, forms.EDITION_FIELDS)))


@router.get("/plan/editions/{edition_id}/proposal")
async def proposal(request: Request, edition_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """Scheduling's proposal for the unscheduled sessions, shown before anything is written."""
    edition_answer, proposed, listed = await asyncio.gather(scheduling.edition(session.key, edition_id),
                                                            scheduling.propose(session.key, edition_id),
                                                            scheduling.sessions(session.key, edition_id))
    e, body = expect(edition_answer), expect(proposed)
    placed, unplaced = forms.proposal_rows(body, expect(listed))
    return render(request, "planning_proposal.html", session, e=e, placed=placed, unplaced=unplaced, p=body,
                  value_of=forms.placement_value, page_of=page_of, **SHOWN)


@router.post("/plan/editions/{edition_id}/proposal")
async def accept(request: Request, edition_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """``POST …/placement/accept`` with the placements as shown → 303 to the edition saying how many
    scheduling accepted and refused (each placement is checked like any other write)."""
    form = await checked_form(request, session)
    body = expect(await scheduling.accept(session.key, edition_id, forms.placements_of(form)))
    results = body.get("results") or []
    accepted = sum(1 for r in results if r.get("accepted"))
    return redirect(f"{page_of(edition_id)}?{urlencode({'done': 'accepted', 'accepted': accepted, 'refused': len(results) - accepted})}")


@router.get("/plan/editions/{edition_id}/publish")
async def publish_asked(request: Request, edition_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """Asks first: publishing makes every scheduled session public."""
    e = expect(await scheduling.edition(session.key, edition_id))
    return render(request, "planning_confirm.html", session, what="publish", e=e, action=f"{page_of(edition_id)}/publish",
                  back=page_of(edition_id))


@router.post("/plan/editions/{edition_id}/publish")
async def publish(request: Request, edition_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """``POST /v1/editions/{id}/publish`` → 303 to the edition; a 409 (already published, closed) on its page."""
    await checked_form(request, session)
    answer = await scheduling.publish_edition(session.key, edition_id)
    return await answered(answer, lambda _: f"{page_of(edition_id)}?done=published",
                          lambda status, reasons: _edition_page(request, session, scheduling, edition_id, status, reasons=reasons))


# Moving and cancelling a session, from its page in area "scheduler" (/schedule/sessions/{id}).
def session_page(session_id: str) -> str:
    return f"/schedule/sessions/{quote(session_id, safe='')}"


async def _move_page(request: Request, session: Session, scheduling: Scheduling, session_id: str, status: int = 200,
                     chosen: forms.Chosen | None = None, reasons: list[dict] | None = None) -> Response:
    s = expect(await scheduling.session(session.key, session_id))
    venues = expect(await scheduling.venues(session.key))
    return render(request, "planning_move.html", session, status, s=s, venues=[(v["venue_id"], v["name"]) for v in venues],
                  chosen=chosen or forms.move_chosen(s), reasons=reasons or [], back=session_page(session_id), **SHOWN)


@router.get("/schedule/sessions/{session_id}/move")
async def move_form(request: Request, session_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """The new start, end and venue (Malmö time), filled with the present ones."""
    return await _move_page(request, session, scheduling, session_id)


@router.post("/schedule/sessions/{session_id}/move")
async def move(request: Request, session_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """``PATCH /v1/sessions/{id}``: moved → 303 to the session (scheduling tells its registrants);
    a refusal or a blocking conflict beside the field it names."""
    form = await checked_form(request, session)
    answer = await scheduling.move(session.key, session_id, forms.move_changes(form))
    return await answered(answer, lambda _: session_page(session_id),
                          lambda status, reasons: _move_page(request, session, scheduling, session_id, status, chosen_of(form),
                                                             beside(reasons, forms.MOVE_FIELDS)))


async def _cancel_page(request: Request, session: Session, scheduling: Scheduling, session_id: str, status: int = 200,
                       reasons: list[dict] | None = None) -> Response:
    s = expect(await scheduling.session(session.key, session_id))
    return render(request, "planning_confirm.html", session, status, what="cancel", s=s, action=f"{session_page(session_id)}/cancel",
                  back=session_page(session_id), reasons=reasons or [], **SHOWN)


@router.get("/schedule/sessions/{session_id}/cancel")
async def cancel_asked(request: Request, session_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """Asks first (with an optional reason): a cancelled session stays in the programme as cancelled."""
    return await _cancel_page(request, session, scheduling, session_id)


@router.post("/schedule/sessions/{session_id}/cancel")
async def cancel(request: Request, session_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """``POST /v1/sessions/{id}/cancel`` → 303 to the session; a 409/422 on the confirmation page."""
    form = await checked_form(request, session)
    answer = await scheduling.cancel(session.key, session_id, form.get("pl_reason", "").strip() or None)
    return await answered(answer, lambda _: session_page(session_id),
                          lambda status, reasons: _cancel_page(request, session, scheduling, session_id, status,
                                                               beside(reasons, {"reason": "pl_reason"})))
