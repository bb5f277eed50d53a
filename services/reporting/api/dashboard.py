"""The dashboard page (server-rendered, ``adapters/dashboard.py``), and the root that leads to it."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, RedirectResponse

from services.reporting.adapters import dashboard
from services.reporting.adapters.page_language import chosen
from services.reporting.api.deps import AcceptLanguage, PageLang, ReadModelDep, ThresholdDep, VocabulariesDep, fresh_labels, known_edition
from shared.openapi import problems

router = APIRouter(dependencies=[Depends(fresh_labels)])


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    return RedirectResponse("/dashboard")


@router.get("/dashboard", tags=["dashboard"], summary="The dashboard page (HTML, every platform language)", response_class=HTMLResponse,
            responses=problems(**{"404": "No such edition."}))
async def dashboard_page(model: ReadModelDep, v: VocabulariesDep, threshold: ThresholdDep,
                         edition_id: Annotated[str | None, Query(alias="edition")] = None, lang: PageLang = None,
                         accept_language: AcceptLanguage = None) -> HTMLResponse:
    if edition_id is not None:
        known_edition(model, edition_id)
    return HTMLResponse(dashboard.render(model, edition_id, chosen(lang, accept_language, v), threshold, v))
