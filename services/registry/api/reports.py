"""Outcome reports over REST: a publisher files its initiative's report; curators review, link
partners and publish; anyone reads the published ones (``domain.reports`` holds the rules)."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.registry.api.deps import Anyone, Curator, Publisher, ReportQueriesDep, ReportsDep, reader_of
from services.registry.domain.reports import ReportDecision, ReportStep, view
from services.registry.usecases.reports import CONTENT_FIELDS
from shared.fields import Whole, whole
from shared.auth import KEY_OPTIONAL
from shared.events.reports import ReportContent
from shared.http import problem, problem_response
from shared.kafka.subscriptions import Rejection
from shared.openapi import problems

router = APIRouter(prefix="/v1", tags=["reports"])


class ReportIn(ReportContent):
    """One revision of the report, as on registry.submissions.v1 without ``external_id`` (the path names the initiative)."""

    revision: Whole = Field(ge=1, le=2**31, description="Grows with each revision; a lower or equal one changes nothing.")


class ReportReviewIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    decision: ReportDecision = Field(description="in_review (start), published, or changes_requested.")
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = Field(
        default="", description="To the organiser; required for changes_requested.")
    version: whole(ge=1, le=2**31) | None = Field(default=None, description="The version you reviewed: 409 if the report changed since.")
    partner_sources: dict[Annotated[str, StringConstraints(max_length=3)], Annotated[str, StringConstraints(max_length=500)]] = Field(
        default_factory=dict, max_length=30, description='Link partners to registered sources: {"<partner index>": "<source URI>"} ("" unlinks).')


async def _whole(reports, initiative_id: str) -> dict:
    doc = await reports.get_document(initiative_id)
    return view(doc["state"], doc["state_version"], owns=True)


@router.post("/initiatives/{initiative_id}/report", summary="File or revise the initiative's outcome report (its own publisher)",
             responses={202: {"description": "Taken: the report as it now stands."}, 200: {"description": "This revision or a newer one is kept: nothing changed."},
                        **problems(**{"403": "Another publisher's initiative.", "404": "No such initiative.",
                                      "409": "Not stamped, or before its first session (`no_session_held_yet`); the field is `initiative_id`.",
                                      "422": "Invalid content or vocabulary code; each reason names the field."})})
async def file_report(initiative_id: str, body: ReportIn, principal: Publisher, reports: ReportsDep):
    content = body.model_dump(mode="json", include=set(CONTENT_FIELDS), exclude_none=True)
    try:
        written = await reports.file(principal.source, initiative_id, body.revision, content, "rest")
    except Rejection as e:  # the body is the data: its fields are named without the ``data.`` of a CloudEvent
        return problem_response(422, [{**r.model_dump(), "field": r.field.removeprefix("data.")} for r in e.reasons])
    return JSONResponse(await _whole(reports, initiative_id), status_code=202 if written else 200)


@router.get("/reports/queue", summary="Curators' work list of reports: submitted and in review, oldest first")
async def queue(principal: Curator, queries: ReportQueriesDep, edition: str | None = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict:
    return {"items": await queries.waiting(edition, limit)}


@router.get("/reports", summary="Published outcome reports (anyone), newest first", **KEY_OPTIONAL)
async def published(principal: Anyone, queries: ReportQueriesDep, edition: str | None = None, theme: str | None = None,
                    district: str | None = None, target_group: str | None = None, source: str | None = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict:
    return {"items": await queries.published(edition, theme, district, target_group, source, limit)}


@router.get("/reports/{initiative_id}", summary="An initiative's report: whole for staff and its publisher, published only for others",
            **KEY_OPTIONAL)
async def get_report(initiative_id: str, principal: Anyone, reports: ReportsDep) -> dict:
    doc = await reports.get_document(initiative_id)
    shown = view(doc["state"], doc["state_version"], reader_of(principal).owns(doc["state"])) if doc else None
    if shown is None:  # an unpublished report is not revealed to exist
        raise problem(404, "initiative_id", "not_found", "No published report for this initiative")
    return shown


@router.post("/reports/{initiative_id}/review", summary="A curator's step on a report (start, publish, request changes), linking partners",
             responses=problems(**{"409": "The report changed since `version`, or the step does not follow its status."}))
async def review_report(initiative_id: str, body: ReportReviewIn, principal: Curator, reports: ReportsDep) -> dict:
    step = ReportStep(body.decision, body.comment, principal.key_id, body.version, dict(body.partner_sources))
    await reports.review(initiative_id, step)  # False: the same step again; refused: a 4xx naming the field
    return await _whole(reports, initiative_id)
