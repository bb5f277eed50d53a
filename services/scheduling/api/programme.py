"""The public programme: JSON with filters, stable URLs per session, and iCalendar feeds. No key needed."""

from datetime import UTC, date, datetime

from fastapi import APIRouter, Query, Response

from services.scheduling import ics
from services.scheduling.programme import Filters, is_public, without_internals
from services.scheduling.seats import Refused

ICS_TYPE = "text/calendar; charset=utf-8"


def filters(
    edition_id: str | None = Query(None, description="Only this edition."),
    date: date | None = Query(None, description="Only sessions starting this day (Europe/Stockholm).", alias="date"),
    theme: str | None = Query(None, examples=["democracy"]),
    district: str | None = Query(None, examples=["rosengard"]),
    language: str | None = Query(None, examples=["ar"]),
    accessibility: str | None = Query(None, examples=["wheelchair"]),
    free_seats: bool | None = Query(None, description="Only sessions one can still get a seat in (or that need no registration)."),
    include_cancelled: bool = Query(True, description="Cancelled sessions stay listed, marked cancelled."),
) -> Filters:
    return Filters(edition_id, date, theme, district, language, accessibility, free_seats, include_cancelled)


def public_session(parts, view: dict) -> dict:
    base = parts.settings.public_base_url.rstrip("/")
    sid = view["session_id"]
    out = without_internals(view)
    for k in ("published_once", "duration_minutes", "preferred_days"):
        out.pop(k, None)
    return {
        **out,
        "url": f"{base}/v1/programme/sessions/{sid}",
        "page_url": f"{base}/programme/sessions/{sid}",
        "ics_url": f"{base}/v1/programme/sessions/{sid}.ics",
        "registration_url": f"{base}/v1/sessions/{sid}/registrations" if view["registration_required"] else None,
    }


def router(parts) -> APIRouter:
    r = APIRouter(prefix="/v1/programme", tags=["programme"])

    def one(session_id: str) -> dict:
        view = parts.programme.sessions.get(session_id)
        if view is None or not is_public(view):
            raise Refused(404, "session_id", "not_found", "No such session in the programme")
        return view

    @r.get("", summary="The published programme, filtered")
    async def programme(
        edition_id: str | None = None,
        date: date | None = None,
        theme: str | None = None,
        district: str | None = None,
        language: str | None = None,
        accessibility: str | None = None,
        free_seats: bool | None = None,
        include_cancelled: bool = True,
    ) -> dict:
        f = filters(edition_id, date, theme, district, language, accessibility, free_seats, include_cancelled)
        sessions = [public_session(parts, v) for v in parts.programme.published(f)]
        return {"count": len(sessions), "sessions": sessions}

    @r.get(".ics", summary="The programme as an iCalendar feed (same filters)", response_class=Response)
    async def programme_ics(
        edition_id: str | None = None,
        date: date | None = None,
        theme: str | None = None,
        district: str | None = None,
        language: str | None = None,
        accessibility: str | None = None,
        free_seats: bool | None = None,
        lang: str = "sv",
    ) -> Response:
        f = filters(edition_id, date, theme, district, language, accessibility, free_seats, True)
        body = ics.calendar(parts.programme.published(f), "Öppna Malmö", datetime.now(UTC), parts.settings.public_base_url, lang)
        return Response(body, media_type=ICS_TYPE, headers={"content-disposition": 'inline; filename="oppna-malmo.ics"'})

    @r.get("/sessions/{session_id}.ics", summary="One session as iCalendar", response_class=Response)
    async def session_ics(session_id: str, lang: str = "sv") -> Response:
        view = one(session_id)
        body = ics.calendar([view], "Öppna Malmö", datetime.now(UTC), parts.settings.public_base_url, lang)
        return Response(body, media_type=ICS_TYPE, headers={"content-disposition": f'inline; filename="{session_id}.ics"'})

    @r.get("/sessions/{session_id}", summary="One session of the programme (a stable URL)")
    async def session(session_id: str) -> dict:
        return public_session(parts, one(session_id))

    return r
