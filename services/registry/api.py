"""HTTP edge of the registry: translate, call the use case, answer."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.registry import domain
from services.registry.consumers import SUBMISSION_TYPES
from services.registry.submissions import Submissions
from shared.db.processed import ProcessedEvents
from shared.logs import bound_to
from shared.envelope import Envelope, InvalidEvent, Reason, parse_data, parse_envelope


class Accepted(BaseModel):
    id: str = Field(description="The CloudEvent's id.")
    initiative_id: str = Field(description="The registry's id of the initiative.")
    duplicate: bool = Field(description="This event id was taken before; nothing changed.")


def _unprocessable(reasons: list[Reason]) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": [r.model_dump() for r in reasons]})


class Parts:
    """What the routes call, filled in by the composition root once the runtime has started."""

    submissions: Submissions
    processed: ProcessedEvents


def router(parts: Parts) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["submissions"])

    @r.post(
        "/submissions",
        status_code=202,
        response_model=Accepted,
        summary="Submit or withdraw an initiative (the same CloudEvent as on registry.submissions.v1)",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/cloudevents+json": {"schema": Envelope.model_json_schema()},
                    "application/json": {"schema": Envelope.model_json_schema()},
                },
            }
        },
        responses={422: {"description": "Invalid CloudEvent or data; each reason names the field."}},
    )
    async def submit(request: Request):
        # The body is parsed here, not by FastAPI, so REST and Kafka refuse with the same reasons.
        try:
            event = parse_envelope(await request.body())
            model = SUBMISSION_TYPES.get(event.type)
            if model is None:
                raise InvalidEvent([Reason(field="type", code="unknown_type", message=f"Submissions take {sorted(SUBMISSION_TYPES)}")])
            data = parse_data(event, model)
        except InvalidEvent as e:
            return _unprocessable(e.reasons)
        aggregate_id = domain.initiative_id(event.source, data.external_id)
        if await parts.processed.seen(event.source, event.id):
            return Accepted(id=event.id, initiative_id=aggregate_id, duplicate=True)
        with bound_to(event):
            await parts.submissions.dispatch(event, data, "rest")
        await parts.processed.record(event.source, event.id)
        return Accepted(id=event.id, initiative_id=aggregate_id, duplicate=False)

    @r.get("/initiatives/{initiative_id}", tags=["initiatives"], summary="An initiative: current state and every revision")
    async def get_initiative(initiative_id: str) -> dict:
        state = await parts.submissions.get(initiative_id)
        if state is None:
            raise HTTPException(404, detail=[{"field": "initiative_id", "code": "not_found", "message": "No such initiative"}])
        return state

    @r.get("/lookup", tags=["initiatives"], summary="Find an initiative by its publisher's (source, external_id)")
    async def lookup(source: str, external_id: str) -> dict:
        return await get_initiative(domain.initiative_id(source, external_id))

    return r
