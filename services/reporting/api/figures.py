"""The figures: all-editions initiative counts, the editions, an edition's areas, and the trends.

Public routes always suppress small numbers; analysts (role ``analyst``) read the same figures
unsuppressed under ``/v1/analyst``. Bad input is answered 4xx naming it.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.reporting.adapters.exports import labelled
from services.reporting.api.deps import (
    Analyst,
    AreaInPath,
    AuthenticatorDep,
    Lang,
    OneDimension,
    ReadModelDep,
    ThresholdDep,
    VocabulariesDep,
    fresh_labels,
    known_area,
    known_edition,
)
from services.reporting.domain.figures import area_figures, initiative_counts
from services.reporting.domain.model import ReadModel
from services.reporting.domain.trends import trends
from shared.auth import KEY_OPTIONAL, Role, presented_key
from shared.fields import Day
from shared.openapi import link
from shared.vocabularies import VocabularyCopies

router = APIRouter(dependencies=[Depends(fresh_labels)])

# A range running backwards holds no edition (an empty answer, not a refusal: the schema cannot say it).
From = Annotated[Day | None, Query(alias="from", description="Editions starting on or after this day.")]
To = Annotated[Day | None, Query(description="Editions starting on or before this day.")]


@router.get("/v1/figures/initiatives", tags=["figures"], summary="Initiatives by status, theme, organizer kind and origin", **KEY_OPTIONAL)
async def initiative_figures(request: Request, model: ReadModelDep, auth: AuthenticatorDep, threshold: ThresholdDep, source: str | None = None) -> dict:
    """``source``: one publisher's initiatives. Suppressed, unless an analyst's key is presented."""
    principal = await auth.principal(presented_key(request))
    return initiative_counts(model, source, None if principal and Role.analyst in principal.roles else threshold)


_FIRST_EDITION = "$response.body#/0/edition_id"


@router.get("/v1/editions", tags=["figures"], summary="The editions (forum periods) reporting knows",
            responses={200: {"description": "The editions, by year", "links": {
                "Figures": link("GET", "/v1/editions/{edition_id}/figures/{area}", edition_id=_FIRST_EDITION),
                "Csv": link("GET", "/v1/editions/{edition_id}/export.csv", edition_id=_FIRST_EDITION),
                "JsonStat": link("GET", "/v1/editions/{edition_id}/jsonstat", edition_id=_FIRST_EDITION),
                "Snapshot": link("POST", "/v1/editions/{edition_id}/snapshots", edition_id=_FIRST_EDITION)}}})
async def editions(model: ReadModelDep) -> list[dict]:
    return [
        {k: e[k] for k in ("edition_id", "name", "year", "starts_on", "ends_on", "budget_sek", "status")}
        for e in sorted(model.editions.values(), key=lambda e: (e["year"], e["edition_id"]))
    ]


def _figures(model: ReadModel, vocabularies: VocabularyCopies, edition_id: str, area: str, dimension: str | None, lang: str,
             threshold: int | None) -> dict:
    known_edition(model, edition_id)
    known_area(area, dimension)
    out = area_figures(model, edition_id, area, threshold, dimension)
    out["tables"] = {d: labelled(t, lang, vocabularies) for d, t in out["tables"].items()}
    return out


@router.get("/v1/editions/{edition_id}/figures/{area}", tags=["figures"], summary="An edition's figures of one area, suppressed")
async def edition_figures(model: ReadModelDep, v: VocabulariesDep, threshold: ThresholdDep, edition_id: str, area: AreaInPath,
                          dimension: OneDimension = None, lang: Lang = "sv") -> dict:
    """Areas: initiatives, participation, reach, money; ``dimension``: one table only."""
    return _figures(model, v, edition_id, area, dimension, lang, threshold)


@router.get("/v1/analyst/editions/{edition_id}/figures/{area}", tags=["analysts"], summary="The same, unsuppressed (analysts)")
async def analyst_figures(_: Analyst, model: ReadModelDep, v: VocabulariesDep, edition_id: str, area: AreaInPath,
                          dimension: OneDimension = None, lang: Lang = "sv") -> dict:
    return _figures(model, v, edition_id, area, dimension, lang, None)


@router.get("/v1/figures/trends", tags=["figures"], summary="Key figures of each edition, to follow them between editions")
async def trend_figures(model: ReadModelDep, v: VocabulariesDep, threshold: ThresholdDep, from_: From = None, to: To = None,
                        lang: Lang = "sv") -> dict:
    return labelled(trends(model, threshold, from_, to), lang, v)


@router.get("/v1/analyst/figures/trends", tags=["analysts"], summary="The trends, unsuppressed (analysts)")
async def analyst_trends(
    _: Analyst,
    model: ReadModelDep,
    v: VocabulariesDep,
    from_: From = None,
    to: To = None,
    lang: Lang = "sv",
) -> dict:
    return labelled(trends(model, None, from_, to), lang, v)
