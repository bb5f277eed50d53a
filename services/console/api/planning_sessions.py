"""Adding a session to an edition: one of the stamped initiatives whose period meets the edition,
how long, how many seats, in which languages — left without a time for the automatic placement.

Which initiatives are stamped is the registry's answer to the signed-in key; whether one may have
a session here (stamped, in the edition, a venue that exists) is scheduling's: its refusal is shown
beside the field it names, the form kept as typed.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api.deps import RegistryDep, SchedulingDep, SignedIn, checked_form
from services.console.api.pages import answered, expect, language, render
from services.console.api.planning import page_of
from services.console.adapters.registry import Registry
from services.console.adapters.scheduling import Scheduling
from services.console.usecases import planning as forms
from services.console.usecases.form_fields import beside, chosen_of
from services.console.usecases.sessions import Session

router = APIRouter(include_in_schema=False)
FRESH = {"pl_duration_minutes": ["90"], "pl_session_capacity": ["30"], "pl_session_languages": ["sv"], "pl_registration_required": ["yes"]}


def _title(initiative: dict, lang: str) -> str:
    title = (initiative.get("content") or {}).get("title") or {}
    return title.get(lang) or title.get("sv") or initiative["initiative_id"]


async def _new_page(request: Request, session: Session, registry: Registry, scheduling: Scheduling, edition_id: str,
                    status: int = 200, chosen: forms.Chosen | None = None, reasons: list[dict] | None = None) -> Response:
    e = expect(await scheduling.edition(session.key, edition_id))
    stamped = expect(await registry.stamped_during(session.key, e["starts_on"], e["ends_on"]))
    venues = expect(await scheduling.venues(session.key))
    lang = language(request)
    return render(request, "planning_session_new.html", session, status, e=e, page_of=page_of,
                  initiatives=sorted(((i["initiative_id"], _title(i, lang)) for i in stamped.get("items") or []), key=lambda p: p[1]),
                  venues=[(v["venue_id"], v["name"]) for v in venues], chosen=chosen or FRESH, reasons=reasons or [])


@router.get("/plan/editions/{edition_id}/sessions/new")
async def new_session(request: Request, edition_id: str, session: SignedIn, registry: RegistryDep, scheduling: SchedulingDep) -> Response:
    """The form: the stamped initiatives to choose from, and the session's length, seats and languages."""
    return await _new_page(request, session, registry, scheduling, edition_id)


@router.post("/plan/editions/{edition_id}/sessions/new")
async def add_session(request: Request, edition_id: str, session: SignedIn, registry: RegistryDep, scheduling: SchedulingDep) -> Response:
    """``POST /v1/sessions`` (unplaced) → 303 to the edition; a refusal beside its field."""
    form = await checked_form(request, session)
    answer = await scheduling.add_session(session.key, forms.session_body(form, edition_id))
    return await answered(answer, lambda _: f"{page_of(edition_id)}?done=session_added",
                          lambda status, reasons: _new_page(request, session, registry, scheduling, edition_id, status, chosen_of(form),
                                                            beside(reasons, forms.SESSION_FIELDS)))
