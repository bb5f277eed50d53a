"""The public programme: JSON with filters, stable URLs per session, and iCalendar feeds. No key needed.

Every answer here is rendered once per programme change and then served from ``Rendered``
(bytes, ETag, 304 on If-None-Match, Cache-Control): see ``rendered.py``.
"""

import json
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from services.scheduling.adapters import ics
from services.scheduling.adapters.programme import Filters, is_public, without_internals
from services.scheduling.adapters.programme import Programme
from services.scheduling.api.deps import ProgrammeDep, RenderedDep, SettingsDep, VocabulariesDep
from services.scheduling.settings import SchedulingSettings
from shared.vocabularies import VocabularyCopies
from shared.refusals import Refused

ICS_TYPE = "text/calendar; charset=utf-8"
JSON_TYPE = "application/json"
NOT_MODIFIED = {304: {"description": "Not modified (If-None-Match matched the ETag)"}}
AS_JSON = {200: {"description": "JSON (ETag, Cache-Control)", "content": {JSON_TYPE: {"schema": {"type": "object"}}}}, **NOT_MODIFIED}
AS_ICS = {200: {"description": "iCalendar (ETag, Cache-Control)", "content": {"text/calendar": {"schema": {"type": "string"}}}}, **NOT_MODIFIED}


def filters(
    edition_id: str | None = Query(None, description="Only this edition."),
    date: date | None = Query(None, description="Only sessions starting this day (Europe/Stockholm).", alias="date"),
    theme: str | None = Query(None, examples=["democracy"]),
    district: str | None = Query(None, examples=["rosengard"]),
    language: str | None = Query(None, examples=["ar"]),
    accessibility: str | None = Query(None, examples=["wheelchair"]),
    free_seats: bool | None = Query(None, description="Only sessions one can still get a seat in (or that need no registration)."),
    include_cancelled: bool = Query(True, description="Cancelled sessions stay listed, marked cancelled (a calendar strikes them out)."),
) -> Filters:
    """The programme's filters, parsed once for the JSON and the iCalendar feed alike."""
    return Filters(edition_id, date, theme, district, language, accessibility, free_seats, include_cancelled)


ProgrammeFilters = Annotated[Filters, Depends(filters)]
Lang = Annotated[
    Literal["sv", "en", "ar"],  # texts.PLATFORM_LANGUAGES; any other is refused (422 naming `lang`)
    Query(description="Language of the feed (calendar name, titles, texts, theme labels): sv, en or ar; where a session has no text in it, Swedish.", examples=["en"]),
]


def public_session(programme: Programme, base_url: str, view: dict) -> dict:
    base = base_url.rstrip("/")
    sid = view["session_id"]
    out = without_internals(view)
    for k in ("published_once", "duration_minutes", "preferred_days"):
        out.pop(k, None)
    return {
        **out,
        **programme.about_of(view),  # summary, description, target_groups: what it is about
        "url": f"{base}/v1/programme/sessions/{sid}",
        "page_url": f"{base}/programme/sessions/{sid}",
        "ics_url": f"{base}/v1/programme/sessions/{sid}.ics",
        "registration_url": f"{base}/v1/sessions/{sid}/registrations" if view["registration_required"] else None,
    }


def as_json(value: dict) -> bytes:
    # as FastAPI's JSONResponse writes it
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


router = APIRouter(prefix="/v1/programme", tags=["programme"])


def one(programme: Programme, session_id: str) -> dict:
    view = programme.sessions.get(session_id)
    if view is None or not is_public(view):
        raise Refused(404, "session_id", "not_found", "No such session in the programme")
    return view


def calendar(views: list[dict], lang: str, programme: Programme, settings: SchedulingSettings, vocabularies: VocabularyCopies) -> bytes:
    label = lambda code, lang: vocabularies.label("themes", code, lang)  # noqa: E731
    return ics.calendar(views, datetime.now(UTC), settings.public_base_url, lang, programme.about_of, label)


@router.get("", summary="The published programme, filtered", response_class=Response, responses=AS_JSON)
async def programme(request: Request, f: ProgrammeFilters, programme: ProgrammeDep, settings: SettingsDep, rendered: RenderedDep) -> Response:
    def render() -> bytes:
        sessions = [public_session(programme, settings.public_base_url, v) for v in programme.published(f)]
        return as_json({"count": len(sessions), "sessions": sessions})

    return rendered.respond(request, ("json", f), JSON_TYPE, render)


@router.get(".ics", summary="The programme as an iCalendar feed (same filters)", response_class=Response, responses=AS_ICS)
async def programme_ics(
    request: Request, f: ProgrammeFilters, programme: ProgrammeDep, settings: SettingsDep, vocabularies: VocabulariesDep, rendered: RenderedDep,
    lang: Lang = "sv",
) -> Response:
    return rendered.respond(request, ("ics", f, lang), ICS_TYPE, lambda: calendar(programme.published(f), lang, programme, settings, vocabularies),
                            {"content-disposition": 'inline; filename="oppna-malmo.ics"'})


@router.get("/sessions/{session_id}.ics", summary="One session as iCalendar", response_class=Response, responses=AS_ICS)
async def session_ics(
    request: Request, session_id: str, programme: ProgrammeDep, settings: SettingsDep, vocabularies: VocabulariesDep, rendered: RenderedDep,
    lang: Lang = "sv",
) -> Response:
    view = one(programme, session_id)
    return rendered.respond(request, ("session.ics", session_id, lang), ICS_TYPE, lambda: calendar([view], lang, programme, settings, vocabularies),
                            {"content-disposition": f'inline; filename="{session_id}.ics"'})


@router.get("/sessions/{session_id}", summary="One session of the programme (a stable URL)", response_class=Response, responses=AS_JSON)
async def session(request: Request, session_id: str, programme: ProgrammeDep, settings: SettingsDep, rendered: RenderedDep) -> Response:
    view = one(programme, session_id)
    return rendered.respond(request, ("session", session_id), JSON_TYPE, lambda: as_json(public_session(programme, settings.public_base_url, view)))
