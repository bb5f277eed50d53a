"""The server-rendered programme page, a session's page with its registration form, and a
registration's private page — in every platform language the pages have words for
(``api/page.py``). Codes of the vocabularies (themes, target groups, districts, languages,
accessibility) are shown as their labels in the page's language, else Swedish; an initiative's
texts in the reader's language, else Swedish, else English, and the page says so when it fell
back (docs/scheduling.md, "The public programme", "Every resident's language"). ``GET /`` leads
to the programme.
"""

import re
import secrets
from datetime import UTC, datetime
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from services.scheduling.adapters.programme import Filters, Programme, is_public
from services.scheduling.api.deps import ErasureDep, ProgrammeDep, RegistrationsDep
from services.scheduling.api.page import Page, PageDep, render
from services.scheduling.api.registrations import IDEMPOTENCY_KEY_PATTERN, RegistrationForm
from services.scheduling.api.views import decorate, options_of
from services.scheduling.usecases.registrations import Registrations
from shared.ratelimit import signup_limit
from shared.refusals import Refused

router = APIRouter(tags=["pages"], include_in_schema=False)


def shown(view: dict, page: Page, programme: Programme) -> dict:
    return decorate(view, page, programme.about_of(view))


@router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse("/programme", status_code=307)


def session_or_404(programme: Programme, session_id: str) -> dict:
    view = programme.sessions.get(session_id)
    if view is None or not is_public(view):
        raise Refused(404, "session_id", "not_found", "No such session in the programme")
    return view


@router.get("/programme", response_class=HTMLResponse)
async def programme(
    programme: ProgrammeDep, page: PageDep, date: str = "", theme: str = "", district: str = "", target_group: str = "",
    language: str = "", accessibility: str = "", free_seats: str = "",
) -> HTMLResponse:
    try:
        on = datetime.strptime(date, "%Y-%m-%d").date() if date else None
    except ValueError:
        on = None
    f = Filters(
        date=on, theme=theme or None, district=district or None, language=language or None, target_group=target_group or None,
        accessibility=accessibility or None, free_seats=free_seats == "true" or None,
    )
    options = options_of(programme.published(Filters()), page, programme.about_of)
    sessions = [shown(v, page, programme) for v in programme.published(f)]
    form = {"date": date, "theme": theme, "district": district, "target_group": target_group, "language": language,
            "accessibility": accessibility, "free_seats": f.free_seats}
    return render(page, "programme.html", page_title=page.t["programme"], sessions=sessions, options=options, f=form, edition=None)


@router.get("/programme/sessions/{session_id}", response_class=HTMLResponse)
async def session(session_id: str, programme: ProgrammeDep, page: PageDep) -> HTMLResponse:
    s = shown(session_or_404(programme, session_id), page, programme)
    # a key per rendered form: a double click or a resent form takes one seat, not two
    return render(page, "session.html", page_title=s["title_text"], s=s, offered=page.offered,
                  form={"idempotency_key": secrets.token_urlsafe(18)}, errors=[])


def refused_fields(e: ValidationError | Refused, page: Page) -> list[dict]:
    """What to correct, in the page's language: the field's name and what is wrong with it."""
    if isinstance(e, Refused):
        return [{"field": e.field, "message": page.t.get(f"error_{e.code}", page.t["check_field"])}]
    return [{"field": ".".join(str(p) for p in err["loc"]) or "name", "message": page.t["check_field"]} for err in e.errors(include_url=False)]


@router.post("/programme/sessions/{session_id}/register", response_class=HTMLResponse, dependencies=[signup_limit("registrations")])
async def register(session_id: str, request: Request, programme: ProgrammeDep, registrations: RegistrationsDep, page: PageDep) -> HTMLResponse:
    s = shown(session_or_404(programme, session_id), page, programme)
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", errors="replace")).items()}
    try:
        body = RegistrationForm.model_validate({k: v for k, v in form.items() if k in RegistrationForm.model_fields and v != ""})
        key = request.headers.get("idempotency-key") or form.get("idempotency_key") or None
        if key is not None and not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
            raise Refused(422, "idempotency_key", "invalid", "Idempotency-Key: 1–128 printable ASCII characters")
        out, _ = await registrations.register(session_id, body.contact(), body.party_size, body.language, datetime.now(UTC), key)
    except (ValidationError, Refused) as e:
        status = e.status if isinstance(e, Refused) else 422
        return render(page, "session.html", status, menu_path=f"/programme/sessions/{session_id}", page_title=s["title_text"], s=s,
                      offered=page.offered, form=form, errors=refused_fields(e, page))
    # the confirmation in the language the resident chose for messages (where the pages have it)
    chosen = page.switched(body.language)
    s = shown(session_or_404(programme, session_id), chosen, programme)
    return render(chosen, "registration.html", 201, menu_path=f"/programme/registrations/{out['token']}", page_title=s["title_text"],
                  r=out, s=s, manage_url=f"{out['manage_url']}?lang={chosen.lang}", token=out["token"], message=None)


async def show(token: str, page: Page, asked: str | None, registrations: Registrations, programme: Programme,
               message_key: str | None = None) -> HTMLResponse:
    """A registration's page, by its private link: in ``?lang=`` if asked, else the registration's language."""
    reg = await registrations.view(token)
    page = page if asked else page.switched(reg.get("language"))
    s = shown(reg["session"], page, programme)
    return render(page, "registration.html", menu_path=f"/programme/registrations/{token}", page_title=s["title_text"], r=reg, s=s,
                  manage_url=None, token=token, message=page.t[message_key] if message_key else None)


@router.get("/programme/registrations/{token}", response_class=HTMLResponse)
async def manage(token: str, registrations: RegistrationsDep, programme: ProgrammeDep, page: PageDep, lang: str | None = None) -> HTMLResponse:
    return await show(token, page, lang, registrations, programme)


@router.post("/programme/registrations/{token}/cancel")
async def cancel(token: str, registrations: RegistrationsDep, page: PageDep) -> RedirectResponse:
    await registrations.cancel(token, datetime.now(UTC))
    return RedirectResponse(f"/programme/registrations/{token}?lang={page.lang}", status_code=303)


@router.post("/programme/registrations/{token}/erase", response_class=HTMLResponse)
async def erase(token: str, erasure: ErasureDep, registrations: RegistrationsDep, programme: ProgrammeDep, page: PageDep,
                lang: str | None = None) -> HTMLResponse:
    await erasure.erase_by_token(token)
    return await show(token, page, lang, registrations, programme, "erased")
