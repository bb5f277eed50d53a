"""The analyst's page: the public dashboard one click away, each edition's headline figures, and
every export, downloaded through the console with the session's key (the key never reaches the
browser). Reporting decides who may read what: its refusal is the page the person sees."""

import asyncio
import re
from collections.abc import AsyncIterator

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from services.console.adapters.reporting import AREAS, export_of
from services.console.adapters.services import Answer
from services.console.api.deps import ReportingDep, SignedIn
from services.console.api.pages import Refusal, expect, language, render
from services.console.usecases.analysis import exports_of, headline

router = APIRouter(include_in_schema=False)


@router.get("/analysis")
async def analysis(request: Request, session: SignedIn, reporting: ReportingDep, edition: str = "") -> Response:
    """``edition``: the edition whose exports are listed (default: the latest reporting knows)."""
    lang = language(request)
    editions = expect(await reporting.editions(session.key))
    chosen = edition or (editions[-1]["edition_id"] if editions else "")
    trends, *areas = await asyncio.gather(reporting.trends(session.key, lang),
                                          *(reporting.area(session.key, chosen, area, lang) for area in (AREAS if chosen else ())))
    exports = [exports_of(area, expect(answer)) for area, answer in zip(AREAS, areas, strict=False)]
    return render(request, "analysis_page.html", session, editions=editions, chosen=chosen, figures=headline(expect(trends), lang),
                  exports=exports, dashboard=reporting.dashboard_url(chosen or None, lang))


@router.get("/analysis/exports/{name}")
async def export(name: str, request: Request, session: SignedIn, reporting: ReportingDep, edition: str = "") -> Response:
    """Reporting's export passed on as it comes, with its content type and a file name to save it
    under; reporting's refusal (a key that may not read it, an unknown edition) is the page shown."""
    wanted = export_of(name, edition, language(request))
    if wanted is None:
        raise Refusal(Answer(404, None, "console"))
    sent = await reporting.export(session.key, wanted)
    if isinstance(sent, Answer):
        raise Refusal(sent)
    saved_as = re.sub(r"[^A-Za-z0-9._-]", "_", "-".join(p for p in ("oppna-malmo", edition, name) if p))
    headers = {"content-disposition": sent.headers.get("content-disposition") or f'attachment; filename="{saved_as}"',
               "cache-control": "no-store"}
    return StreamingResponse(_passed_on(sent), media_type=sent.headers.get("content-type"), headers=headers)


async def _passed_on(sent: httpx.Response) -> AsyncIterator[bytes]:
    """The body as it comes; the connection to reporting is given back however the download ends
    (also when the browser goes away half-way)."""
    try:
        async for chunk in sent.aiter_bytes():
            yield chunk
    finally:
        await sent.aclose()
