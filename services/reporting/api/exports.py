"""Exports of one table of an edition, suppressed: CSV for Swedish Excel and JSON-stat 2.0."""

import json

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from services.reporting.adapters.exports import to_csv, to_jsonstat
from services.reporting.api.deps import Area, Dimension, Lang, ReadModelDep, ThresholdDep, VocabulariesDep, fresh_labels, known_area, known_edition
from services.reporting.domain.figures import table
from services.reporting.domain.model import ReadModel

router = APIRouter(dependencies=[Depends(fresh_labels)])


def _one_table(model: ReadModel, threshold: int, edition_id: str, area: str, dimension: str) -> dict:
    known_edition(model, edition_id)
    known_area(area, dimension)
    return table(model, area, dimension, edition_id, threshold)


@router.get("/v1/editions/{edition_id}/export.csv", tags=["exports"], summary="One table as CSV for Swedish Excel (suppressed)",
            response_class=Response, responses={200: {"description": "CSV (semicolons, UTF-8 with BOM)", "content": {"text/csv": {"schema": {"type": "string"}}}}})
async def export_csv(model: ReadModelDep, v: VocabulariesDep, threshold: ThresholdDep, edition_id: str, area: Area, dimension: Dimension,
                     lang: Lang = "sv") -> Response:
    body = to_csv(_one_table(model, threshold, edition_id, area, dimension), lang, v)
    name = f"oppna-malmo-{edition_id}-{area}-{dimension}.csv"
    return Response(body, media_type="text/csv; charset=utf-8", headers={"content-disposition": f'attachment; filename="{name}"'})


@router.get("/v1/editions/{edition_id}/jsonstat", tags=["exports"], summary="One table as a JSON-stat 2.0 dataset (suppressed)")
async def export_jsonstat(model: ReadModelDep, v: VocabulariesDep, threshold: ThresholdDep, edition_id: str, area: Area, dimension: Dimension,
                          lang: Lang = "sv") -> Response:
    body = json.dumps(to_jsonstat(_one_table(model, threshold, edition_id, area, dimension), lang, v), ensure_ascii=False)
    return Response(body, media_type="application/json; charset=utf-8")
