"""The printable follow-up page of an edition for the city board (``adapters/follow_up_page.py``)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from services.reporting.adapters import follow_up_page
from services.reporting.adapters.page_language import chosen
from services.reporting.api.deps import AcceptLanguage, PageLang, ReadModelDep, ThresholdDep, VocabulariesDep, fresh_labels, known_edition
from shared.openapi import problems

router = APIRouter(dependencies=[Depends(fresh_labels)])


@router.get("/follow-up", tags=["dashboard"], summary="The follow-up page for the city board (HTML, every platform language, printable)",
            response_class=HTMLResponse, responses=problems(**{"404": "No such edition."}))
async def follow_up(model: ReadModelDep, v: VocabulariesDep, threshold: ThresholdDep,
                    edition_id: Annotated[str | None, Query(alias="edition")] = None, lang: PageLang = None,
                    accept_language: AcceptLanguage = None) -> HTMLResponse:
    if edition_id is not None:
        known_edition(model, edition_id)
    return HTMLResponse(follow_up_page.render(model, edition_id, chosen(lang, accept_language, v), threshold, v))
