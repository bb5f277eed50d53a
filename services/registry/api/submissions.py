"""``POST /v1/submissions``: a publisher's submission or withdrawal over REST, the same CloudEvent as
on registry.submissions.v1, taken by the same use case (and deduplicated with the Kafka edge)."""

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.registry.api.deps import ProcessedDep, Publisher, SubmissionsDep
from services.registry.domain.initiatives import SUBMISSION_TYPES, initiative_id
from shared.envelope import Envelope, InvalidEvent, Reason, http_headers, parse_data, parse_envelope
from shared.http import problem, problem_response
from shared.kafka.subscriptions import Rejection
from shared.logs import bound_to
from shared.openapi import link, problems

router = APIRouter(prefix="/v1")

# The body is declared once, as the named component CloudEvent under structured mode's media type:
# a generated client gets one model of that name and one body argument. Declared under two media
# types, openapi-python-client 0.29 makes a model of one name twice (a warning) or, referred to,
# code that does not import (its issues 1276 and 1451); the other modes are in the description.
CLOUDEVENT = "CloudEvent"
CLOUDEVENT_REF = {"$ref": f"#/components/schemas/{CLOUDEVENT}"}


class Accepted(BaseModel):
    id: str = Field(description="The CloudEvent's id.")
    initiative_id: str = Field(description="The registry's id of the initiative.")
    duplicate: bool = Field(description="This event id was taken before; nothing changed.")


def name_the_cloudevent(app: FastAPI) -> None:
    """The app's document defines the component ``CloudEvent`` (the envelope's schema) that
    ``POST /v1/submissions`` refers to; call once, after the app's other document rules."""
    generate = app.openapi

    def openapi() -> dict:
        schema = generate()
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            CLOUDEVENT, Envelope.model_json_schema() | {"title": CLOUDEVENT})
        return schema

    app.openapi = openapi


def _unprocessable(reasons: list[Reason]) -> JSONResponse:
    return problem_response(422, [r.model_dump() for r in reasons])


@router.post(
    "/submissions",
    status_code=202,
    response_model=Accepted,
    tags=["submissions"],
    summary="Submit or withdraw an initiative (the same CloudEvent as on registry.submissions.v1)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "Structured mode (the schema below): the whole CloudEvent as the body, `content-type: "
                           "application/cloudevents+json` (`application/json` is taken too). Binary mode (CloudEvents HTTP binding): the "
                           "attributes as `ce-specversion`, `ce-id`, `ce-source`, `ce-type` (and optional `ce-time`, "
                           "`ce-subject`, `ce-traceparent`) headers, `content-type: application/json`, the data as the body. / "
                           "Hela händelsen som kropp, eller attributen som ce-huvuden och data som kropp.",
            "content": {
                "application/cloudevents+json": {"schema": CLOUDEVENT_REF},
            },
        }
    },
    responses={202: {"description": "Taken (or taken before: `duplicate`)", "links": {
        "GetInitiative": link("GET", "/v1/initiatives/{initiative_id}", initiative_id="$response.body#/initiative_id"),
        "Review": link("POST", "/v1/initiatives/{initiative_id}/review", initiative_id="$response.body#/initiative_id"),
        "FileReport": link("POST", "/v1/initiatives/{initiative_id}/report", initiative_id="$response.body#/initiative_id"),
    }}, **problems(**{"401": "No valid source key.", "403": "The event's `source` is not the key's source.",
                          "422": "Invalid CloudEvent, data or vocabulary code; each reason names the field."})},
)
async def submit(request: Request, principal: Publisher, submissions: SubmissionsDep, processed: ProcessedDep):
    # The body is parsed here, not by FastAPI, so REST and Kafka refuse with the same reasons,
    # in either mode (binary when a ce-specversion header is sent).
    try:
        event = parse_envelope(await request.body(), http_headers(request.headers))
        model = SUBMISSION_TYPES.get(event.type)
        if model is None:
            raise InvalidEvent([Reason(field="type", code="unknown_type", message=f"Submissions take {sorted(SUBMISSION_TYPES)}")])
        data = parse_data(event, model)
    except InvalidEvent as e:
        return _unprocessable(e.reasons)
    if event.source != principal.source:
        raise problem(403, "source", "not_your_source", f"This key publishes as {principal.source}, not {event.source}")
    aggregate_id = initiative_id(event.source, data.external_id)
    if await processed.seen(event.source, event.id):
        return Accepted(id=event.id, initiative_id=aggregate_id, duplicate=True)
    with bound_to(event):
        try:
            await submissions.dispatch(event, data, "rest")
        except Rejection as e:
            return _unprocessable(e.reasons)
    await processed.record(event.source, event.id)
    return Accepted(id=event.id, initiative_id=aggregate_id, duplicate=False)
