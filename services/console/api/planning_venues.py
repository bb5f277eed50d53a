"""The scheduler's venue pages (area "planning"): every venue, adding one, changing one — name,
address, district and accessibility by the registry's words, capacity, languages, and when it is
available (one window a line, Malmö time).

Each action is scheduling's ``POST /v1/venues`` or ``PUT /v1/venues/{id}`` with the signed-in key;
a 422 is shown beside the field it names (``availability.1.ends_at`` → the availability field),
what was typed kept; a 403 is the not-allowed page. The conflicts a change causes are on the
edition's sessions page (``/schedule``), as scheduling lists them.
"""

from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.adapters.scheduling import Scheduling
from services.console.api.deps import SchedulingDep, SignedIn, checked_form
from services.console.api.pages import answered, expect, page_words, render, vocabulary_terms
from services.console.usecases import planning as forms
from services.console.usecases.form_fields import beside, chosen_of
from services.console.usecases.sessions import Session

router = APIRouter(prefix="/plan/venues", include_in_schema=False)


def venue_page(venue_id: str) -> str:
    return f"/plan/venues/{quote(venue_id, safe='')}"


async def _choices(request: Request) -> dict:
    """The districts and accessibility terms by their labels, and the words for the venues' codes."""
    words = await page_words(request)
    vocabularies = await request.app.state.vocabularies.current()
    return {"districts": vocabulary_terms(vocabularies, "districts", words),
            "features": vocabulary_terms(vocabularies, "accessibility", words), "words": words}


async def _posted(request: Request, session: Session) -> tuple[dict, list[str]]:
    """The form's fields and the accessibility boxes ticked (several values of one name)."""
    form = await checked_form(request, session)
    raw = (await request.body()).decode("utf-8", errors="replace")
    return form, parse_qs(raw).get("pl_accessibility", [])


async def _venues_page(request: Request, session: Session, scheduling: Scheduling, status: int = 200,
                       chosen: forms.Chosen | None = None, reasons: list[dict] | None = None) -> Response:
    venues = expect(await scheduling.venues(session.key))
    return render(request, "planning_venues.html", session, status, venues=venues, chosen=chosen or {}, reasons=reasons or [],
                  venue_page=venue_page, action="/plan/venues", **await _choices(request))


@router.get("")
async def venues(request: Request, session: SignedIn, scheduling: SchedulingDep) -> Response:
    return await _venues_page(request, session, scheduling)


@router.post("")
async def add(request: Request, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """``POST /v1/venues``: added → 303 to its page; a refusal beside its field."""
    form, features = await _posted(request, session)
    answer = await scheduling.add_venue(session.key, forms.venue_body(form, features))
    chosen = {**chosen_of(form), "pl_accessibility": features}
    return await answered(answer, lambda body: f"{venue_page(body['venue_id'])}?done=added",
                          lambda status, reasons: _venues_page(request, session, scheduling, status, chosen, beside(reasons, forms.VENUE_FIELDS)))


async def _venue_page(request: Request, session: Session, scheduling: Scheduling, venue_id: str, status: int = 200,
                      chosen: forms.Chosen | None = None, reasons: list[dict] | None = None) -> Response:
    venue = expect(await scheduling.venue(session.key, venue_id))
    done = request.query_params.get("done") if request.query_params.get("done") in ("added", "changed") else None
    return render(request, "planning_venue.html", session, status, v=venue, chosen=chosen or forms.venue_chosen(venue),
                  reasons=reasons or [], done=done, action=venue_page(venue_id), **await _choices(request))


@router.get("/{venue_id}")
async def venue(request: Request, venue_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """The venue as its change form shows it."""
    return await _venue_page(request, session, scheduling, venue_id)


@router.post("/{venue_id}")
async def replace(request: Request, venue_id: str, session: SignedIn, scheduling: SchedulingDep) -> Response:
    """``PUT /v1/venues/{id}`` with the whole form: changed → 303; a refusal beside its field."""
    form, features = await _posted(request, session)
    answer = await scheduling.replace_venue(session.key, venue_id, forms.venue_body(form, features))
    chosen = {**chosen_of(form), "pl_accessibility": features}
    return await answered(answer, lambda _: f"{venue_page(venue_id)}?done=changed",
                          lambda status, reasons: _venue_page(request, session, scheduling, venue_id, status, chosen,
                                                              beside(reasons, forms.VENUE_FIELDS)))
