"""The public programme: JSON with filters, stable URLs per session, and iCalendar feeds. No key needed.

Every answer here is rendered once per programme change and then served from ``Rendered``
(bytes, ETag, 304 on If-None-Match, Cache-Control): see ``rendered.py``.
"""

import json
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from services.scheduling.adapters import ics
from services.scheduling.adapters.programme import Filters, is_public, without_internals
from services.scheduling.adapters.programme import Programme
from services.scheduling.api.deps import ProgrammeDep, RenderedDep, SettingsDep, TextsDep, VocabulariesDep
from services.scheduling.adapters.texts import Words
from services.scheduling.settings import SchedulingSettings
from shared.languages import in_language, platform_languages
from shared.vocabularies import VocabularyCopies
from shared.fields import Day
from shared.openapi import problem
from shared.refusals import Refused

ICS_TYPE = "text/calendar; charset=utf-8"
JSON_TYPE = "application/json"
NOT_MODIFIED = {304: {"description": "Not modified (If-None-Match matched the ETag)"}}
NOT_FOUND = {404: problem(404, "No such session in the programme")}
AS_JSON = {200: {"description": "JSON (ETag, Cache-Control)", "content": {JSON_TYPE: {"schema": {"type": "object"}}}}, **NOT_MODIFIED}
AS_ICS = {200: {"description": "iCalendar (ETag, Cache-Control)", "content": {"text/calendar": {"schema": {"type": "string"}}}}, **NOT_MODIFIED}


def filters(
    edition_id: str | None = Query(None, description="Only this edition."),
    date: Day | None = Query(None, description="Only sessions starting this day (Europe/Stockholm).", alias="date"),
    theme: str | None = Query(None, examples=["democracy"]),
    district: str | None = Query(None, examples=["rosengard"]),
    language: str | None = Query(None, examples=["ar"]),
    accessibility: str | None = Query(None, examples=["wheelchair"]),
    free_seats: bool | None = Query(None, description="Only sessions one can still get a seat in (or that need no registration)."),
    include_cancelled: bool = Query(True, description="Cancelled sessions stay listed, marked cancelled (a calendar strikes them out)."),
    target_group: str | None = Query(None, examples=["youth"], description="Only sessions of initiatives for this target group."),
) -> Filters:
    """The programme's filters, parsed once for the JSON and the iCalendar feed alike."""
    return Filters(edition_id, date, theme, district, language, accessibility, free_seats, include_cancelled, target_group)


ProgrammeFilters = Annotated[Filters, Depends(filters)]


async def feed_language(
    texts: TextsDep, vocabularies: VocabulariesDep,
    lang: str | None = Query(None, description=(
        "Language of the answer (the calendar's name, titles, texts, vocabulary labels): a platform language the pages have "
        "words for (sv, en, ar, and any added as data); a text a session lacks in it is in Swedish, else English, and says "
        "so. Any other is refused (422 naming `lang`). The JSON without it is unchanged; the iCalendar feed's default is sv."),
        examples=["ar"]),
) -> str | None:
    if lang is not None and lang not in {lg.code for lg in platform_languages(await vocabularies.fresh(), texts.codes)}:
        raise Refused(422, "query.lang", "not_offered", "lang: a platform language this service has words for")
    return lang


FeedLang = Annotated[str | None, Depends(feed_language)]
VOCABULARY_FIELDS = ("themes", "districts", "languages", "accessibility")


def localized(view: dict, about: dict, lang: str, vocabularies: VocabularyCopies) -> dict:
    """A session in ``lang``: each text with the language it is in (the fallback rule), codes as labels."""
    texts = {"title": view["title"], "summary": about.get("summary"), "description": about.get("description")}
    out: dict = {"lang": lang}
    for name, by_language in texts.items():
        text, shown_in = in_language(by_language, lang)
        out[name] = {"text": text, "lang": shown_in}
    for name in VOCABULARY_FIELDS:
        out[name] = vocabularies.labels(name, view.get(name, []), lang)
    out["target_groups"] = vocabularies.labels("target_groups", about.get("target_groups", []), lang)
    return out


def public_session(programme: Programme, base_url: str, view: dict, lang: str | None = None,
                   vocabularies: VocabularyCopies | None = None) -> dict:
    """A session of the public JSON; with ``lang``, also ``in_language`` (``localized``)."""
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
        **({"in_language": localized(view, programme.about_of(view), lang, vocabularies)} if lang and vocabularies else {}),
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


def calendar(views: list[dict], lang: str, words: Words, programme: Programme, settings: SchedulingSettings,
             vocabularies: VocabularyCopies) -> bytes:
    label = lambda code, lang: vocabularies.label("themes", code, lang)  # noqa: E731
    return ics.calendar(views, datetime.now(UTC), settings.public_base_url, lang, programme.about_of, label, words)


@router.get("", summary="The published programme, filtered", response_class=Response, responses=AS_JSON)
async def programme(request: Request, f: ProgrammeFilters, programme: ProgrammeDep, settings: SettingsDep, rendered: RenderedDep,
                    vocabularies: VocabulariesDep, lang: FeedLang) -> Response:
    def render() -> bytes:
        sessions = [public_session(programme, settings.public_base_url, v, lang, vocabularies) for v in programme.published(f)]
        return as_json({"count": len(sessions), **({"lang": lang} if lang else {}), "sessions": sessions})

    return rendered.respond(request, ("json", f, lang), JSON_TYPE, render)


@router.get(".ics", summary="The programme as an iCalendar feed (same filters)", response_class=Response, responses=AS_ICS)
async def programme_ics(
    request: Request, f: ProgrammeFilters, programme: ProgrammeDep, settings: SettingsDep, vocabularies: VocabulariesDep, rendered: RenderedDep,
    texts: TextsDep, lang: FeedLang,
) -> Response:
    lang = lang or "sv"
    return rendered.respond(request, ("ics", f, lang), ICS_TYPE,
                            lambda: calendar(programme.published(f), lang, texts.of(lang), programme, settings, vocabularies),
                            {"content-disposition": 'inline; filename="oppna-malmo.ics"'})


@router.get("/sessions/{session_id}.ics", summary="One session as iCalendar", response_class=Response,
            responses={**AS_ICS, **NOT_FOUND})
async def session_ics(
    request: Request, session_id: str, programme: ProgrammeDep, settings: SettingsDep, vocabularies: VocabulariesDep, rendered: RenderedDep,
    texts: TextsDep, lang: FeedLang,
) -> Response:
    view = one(programme, session_id)
    lang = lang or "sv"
    return rendered.respond(request, ("session.ics", session_id, lang), ICS_TYPE,
                            lambda: calendar([view], lang, texts.of(lang), programme, settings, vocabularies),
                            {"content-disposition": f'inline; filename="{session_id}.ics"'})


@router.get("/sessions/{session_id}", summary="One session of the programme (a stable URL)", response_class=Response,
            responses={**AS_JSON, **NOT_FOUND})
async def session(request: Request, session_id: str, programme: ProgrammeDep, settings: SettingsDep, rendered: RenderedDep,
                  vocabularies: VocabulariesDep, lang: FeedLang) -> Response:
    view = one(programme, session_id)
    return rendered.respond(request, ("session", session_id, lang), JSON_TYPE,
                            lambda: as_json(public_session(programme, settings.public_base_url, view, lang, vocabularies)))
