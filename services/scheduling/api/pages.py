"""The server-rendered programme page (Swedish, English with ``?lang=en``) and its registration form.

Any other ``lang`` is shown in Swedish with a 200 (``texts.page_language``). Codes of the
vocabularies (themes, target groups, districts, languages, accessibility) are shown as their
labels in the page's language, from the registry's vocabularies as scheduling follows them
(docs/scheduling.md, "The public programme"); each session shows its initiative's summary and description.
``GET /`` leads to the programme.
"""

import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError

from services.scheduling.adapters.programme import TZ, Filters, Programme, is_public, local_date
from services.scheduling.api.deps import ErasureDep, ProgrammeDep, RegistrationsDep, VocabulariesDep
from services.scheduling.api.registrations import IDEMPOTENCY_KEY_PATTERN, RegistrationIn
from shared.refusals import Refused
from services.scheduling.domain.texts import day, page_language, texts
from services.scheduling.usecases.registrations import Registrations
from shared.ratelimit import signup_limit
from shared.vocabularies import VocabularyCopies, readable

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "templates"), autoescape=select_autoescape(["html"]))


def when(starts_at: str, ends_at: str, lang: str) -> str:
    s, e = datetime.fromisoformat(starts_at).astimezone(TZ), datetime.fromisoformat(ends_at).astimezone(TZ)
    return f"{day(s, lang)}, {s:%H:%M}–{e:%H:%M}"


def _localized(texts: dict | None, lang: str) -> str | None:
    return (texts or {}).get(lang) or (texts or {}).get("sv")


def decorate(view: dict, lang: str, about: dict | None = None, label=None) -> dict:
    """The session as the page shows it in ``lang`` (a page language): ``label(vocabulary, code,
    lang)`` names each code; ``about`` is its initiative's summary, description, target groups."""
    label = label or (lambda _name, code, _lang: readable(code))
    about = about or {}
    title = view["title"]
    accessibility = sorted(set(view.get("accessibility", [])) | set((view.get("venue") or {}).get("accessibility", [])))
    return {
        **view,
        "title_text": title.get(lang) or title.get("sv"),
        "when": when(view["starts_at"], view["ends_at"], lang),
        "summary_text": _localized(about.get("summary"), lang),
        "description_text": _localized(about.get("description"), lang),
        "theme_labels": [label("themes", c, lang) for c in view.get("themes", [])],
        "target_group_labels": [label("target_groups", c, lang) for c in about.get("target_groups", [])],
        "district_labels": [label("districts", c, lang) for c in view.get("districts", [])],
        "language_labels": [label("languages", c, lang) for c in view.get("languages", [])],
        "accessibility_all": accessibility,
        "accessibility_labels": [label("accessibility", c, lang) for c in accessibility],
    }


def options_of(sessions: list[dict], lang: str, label) -> dict:
    """The filters' choices: every code the published sessions have, as ``{code, label}`` by label."""

    def choices(name: str, codes) -> list[dict]:
        return sorted(({"code": c, "label": label(name, c, lang)} for c in set(codes)), key=lambda o: (o["label"].casefold(), o["code"]))

    return {
        "dates": sorted({local_date(v["starts_at"]).isoformat() for v in sessions}),
        "themes": choices("themes", (x for v in sessions for x in v["themes"])),
        "districts": choices("districts", (x for v in sessions for x in v.get("districts", []))),
        "languages": choices("languages", (x for v in sessions for x in v["languages"])),
        "accessibility": choices(
            "accessibility", (x for v in sessions for x in (*v.get("accessibility", []), *(v.get("venue") or {}).get("accessibility", [])))
        ),
    }


def render(name: str, lang: str, status: int = 200, **context) -> HTMLResponse:
    lang, t = texts(lang)
    html = TEMPLATES.get_template(name).render(lang=lang, t=t, **context)
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"} if name == "registration.html" else None)


router = APIRouter(tags=["pages"], include_in_schema=False)


async def shown(view: dict, lang: str, programme: Programme, vocabularies: VocabularyCopies) -> dict:
    return decorate(view, lang, programme.about_of(view), (await vocabularies.fresh()).label)


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
    programme: ProgrammeDep, vocabularies: VocabulariesDep,
    lang: str = "sv", date: str = "", theme: str = "", district: str = "", language: str = "", accessibility: str = "", free_seats: str = "",
) -> HTMLResponse:
    lang = page_language(lang)
    try:
        on = datetime.strptime(date, "%Y-%m-%d").date() if date else None
    except ValueError:
        on = None
    f = Filters(
        date=on, theme=theme or None, district=district or None, language=language or None,
        accessibility=accessibility or None, free_seats=free_seats == "true" or None,
    )
    label = (await vocabularies.fresh()).label
    options = options_of(programme.published(Filters()), lang, label)
    sessions = [decorate(v, lang, programme.about_of(v), label) for v in programme.published(f)]
    form = {"date": date, "theme": theme, "district": district, "language": language, "accessibility": accessibility, "free_seats": f.free_seats}
    return render("programme.html", lang, page_title=texts(lang)[1]["programme"], sessions=sessions, options=options, f=form, edition=None)


@router.get("/programme/sessions/{session_id}", response_class=HTMLResponse)
async def session(session_id: str, programme: ProgrammeDep, vocabularies: VocabulariesDep, lang: str = "sv") -> HTMLResponse:
    lang = page_language(lang)
    s = await shown(session_or_404(programme, session_id), lang, programme, vocabularies)
    # a key per rendered form: a double click or a resent form takes one seat, not two
    return render("session.html", lang, page_title=s["title_text"], s=s, form={"idempotency_key": secrets.token_urlsafe(18)}, errors=[])


@router.post("/programme/sessions/{session_id}/register", response_class=HTMLResponse, dependencies=[signup_limit("registrations")])
async def register(
    session_id: str, request: Request, programme: ProgrammeDep, vocabularies: VocabulariesDep, registrations: RegistrationsDep, lang: str = "sv",
) -> HTMLResponse:
    lang = page_language(lang)
    s = await shown(session_or_404(programme, session_id), lang, programme, vocabularies)
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", errors="replace")).items()}
    try:
        body = RegistrationIn.model_validate({k: v for k, v in form.items() if k in RegistrationIn.model_fields and v != ""})
        key = request.headers.get("idempotency-key") or form.get("idempotency_key") or None
        if key is not None and not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
            raise Refused(422, "idempotency_key", "invalid", "Idempotency-Key: 1–128 printable ASCII characters")
        out, _ = await registrations.register(session_id, body.contact(), body.party_size, body.language, datetime.now(UTC), key)
    except ValidationError as e:
        errors = [{"field": ".".join(str(p) for p in err["loc"]) or "name", "message": err["msg"]} for err in e.errors(include_url=False)]
        return render("session.html", lang, 422, page_title=s["title_text"], s=s, form=form, errors=errors)
    except Refused as e:
        return render("session.html", lang, e.status, page_title=s["title_text"], s=s, form=form, errors=[{"field": e.field, "message": e.message}])
    return render(
        "registration.html", lang, 201, page_title=s["title_text"], r=out, title=s["title_text"], when=s["when"],
        starts_at=s["starts_at"], manage_url=out["manage_url"], token=out["token"], message=None,
    )


async def show(token: str, lang: str, registrations: Registrations, programme: Programme, vocabularies: VocabularyCopies,
               message: str | None = None) -> HTMLResponse:
    """A registration's page, by its private link."""
    lang = page_language(lang)
    reg = await registrations.view(token)
    s = await shown(reg["session"], lang, programme, vocabularies)
    return render(
        "registration.html", lang, page_title=s["title_text"], r=reg, title=s["title_text"], when=s["when"],
        starts_at=s["starts_at"], manage_url=None, token=token, message=message,
    )


@router.get("/programme/registrations/{token}", response_class=HTMLResponse)
async def manage(token: str, registrations: RegistrationsDep, programme: ProgrammeDep, vocabularies: VocabulariesDep, lang: str = "sv") -> HTMLResponse:
    return await show(token, lang, registrations, programme, vocabularies)


@router.post("/programme/registrations/{token}/cancel")
async def cancel(token: str, registrations: RegistrationsDep, lang: str = "sv") -> RedirectResponse:
    await registrations.cancel(token, datetime.now(UTC))
    return RedirectResponse(f"/programme/registrations/{token}?lang={page_language(lang)}", status_code=303)


@router.post("/programme/registrations/{token}/erase", response_class=HTMLResponse)
async def erase(
    token: str, erasure: ErasureDep, registrations: RegistrationsDep, programme: ProgrammeDep, vocabularies: VocabulariesDep, lang: str = "sv",
) -> HTMLResponse:
    await erasure.erase_by_token(token)
    return await show(token, lang, registrations, programme, vocabularies, texts(lang)[1]["erased"])
