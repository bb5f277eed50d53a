"""HTTP edge of the registry for publishers and readers: submissions, initiatives, search.

Routes translate and call the use cases; nothing is decided here. Anyone may read stamped
initiatives' public fields; a key shows more (``readers``: a source its own, staff everything);
every write needs a key.
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.registry import domain, readers, search
from services.registry.consumers import SUBMISSION_TYPES
from services.registry.curation import Curation
from services.registry.submissions import Submissions
from shared.auth import KEY_OPTIONAL, Authenticator, MaybeIdentified, Requires, Role
from shared.db.processed import ProcessedEvents
from shared.envelope import Envelope, InvalidEvent, Reason, http_headers, parse_data, parse_envelope
from shared.events.initiatives import InitiativeStatus, OrganizerKind, Origin
from shared.http import problem as refused
from shared.http import problem_response
from shared.kafka.consumer import Rejection
from shared.logs import bound_to


class Accepted(BaseModel):
    id: str = Field(description="The CloudEvent's id.")
    initiative_id: str = Field(description="The registry's id of the initiative.")
    duplicate: bool = Field(description="This event id was taken before; nothing changed.")


class Page(BaseModel):
    items: list[dict] = Field(description="Initiatives' current state as on registry.initiatives.v1; the public sees only stamped ones' "
                                          "public fields, a source's own key and staff also the contact.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")


def _unprocessable(reasons: list[Reason]) -> JSONResponse:
    return problem_response(422, [r.model_dump() for r in reasons])


class Parts:
    """What the routes call, filled in by the composition root once the runtime has started."""

    submissions: Submissions
    processed: ProcessedEvents
    curation: Curation


def router(parts: Parts, auth: Authenticator) -> APIRouter:
    r = APIRouter(prefix="/v1")
    Publisher = Requires(auth, Role.source)
    Anyone = MaybeIdentified(auth)

    @r.post(
        "/submissions",
        status_code=202,
        response_model=Accepted,
        tags=["submissions"],
        summary="Submit or withdraw an initiative (the same CloudEvent as on registry.submissions.v1)",
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "Structured mode: the whole CloudEvent as the body. Binary mode (CloudEvents HTTP binding): the "
                               "attributes as `ce-specversion`, `ce-id`, `ce-source`, `ce-type` (and optional `ce-time`, "
                               "`ce-subject`, `ce-traceparent`) headers, `content-type: application/json`, the data as the body. / "
                               "Hela händelsen som kropp, eller attributen som ce-huvuden och data som kropp.",
                "content": {
                    "application/cloudevents+json": {"schema": Envelope.model_json_schema()},
                    "application/json": {"schema": Envelope.model_json_schema()},
                },
            }
        },
        responses={
            401: {"description": "No valid source key."},
            403: {"description": "The event's `source` is not the key's source."},
            422: {"description": "Invalid CloudEvent, data or vocabulary code; each reason names the field."},
        },
    )
    async def submit(request: Request, principal: Publisher):
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
            raise refused(403, "source", "not_your_source", f"This key publishes as {principal.source}, not {event.source}")
        aggregate_id = domain.initiative_id(event.source, data.external_id)
        if await parts.processed.seen(event.source, event.id):
            return Accepted(id=event.id, initiative_id=aggregate_id, duplicate=True)
        with bound_to(event):
            try:
                await parts.submissions.dispatch(event, data, "rest")
            except Rejection as e:
                return _unprocessable(e.reasons)
        await parts.processed.record(event.source, event.id)
        return Accepted(id=event.id, initiative_id=aggregate_id, duplicate=False)

    @r.get("/initiatives", tags=["initiatives"], response_model=Page, summary="Find initiatives (filters, cursor pagination)",
             description="Pages come in a stable order. A page may hold fewer than `limit` (a rare filter or free text "
                         "walks further than one page's work) while `next_cursor` is given: follow it until it is null. / "
                         "Sidorna kommer i en stabil ordning. En sida kan ha färre än `limit` medan `next_cursor` finns: "
                         "följ den tills den är null.", **KEY_OPTIONAL)
    async def list_initiatives(
        principal: Anyone,
        status: Annotated[InitiativeStatus | None, Query(description="Without a key only `approved`; a source sees every status of its "
                                                                    "own with `source=` its own; staff see all (403 otherwise).")] = None,
        theme: str | None = None,
        organizer_kind: OrganizerKind | None = None,
        source: str | None = None,
        district: str | None = None,
        target_group: str | None = None,
        language: str | None = None,
        origin: Origin | None = None,
        period_from: Annotated[date | None, Query(description="Overlaps a period from this day…")] = None,
        period_to: Annotated[date | None, Query(description="…to this day (inclusive).")] = None,
        q: Annotated[str | None, Query(max_length=200, description="Free text in titles, summaries, descriptions (any language).")] = None,
        cursor: Annotated[str | None, Query(max_length=100, description="The previous page's next_cursor, as it came.")] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> Page:
        if period_from and period_to and period_to < period_from:
            raise refused(422, "period_to", "before_period_from", "period_to is before period_from")
        reader = readers.Reader.of(principal)
        if not reader.sees_every_status_of(source):
            if status not in (None, readers.PUBLIC_STATUS):
                raise refused(403, "status", "not_public", "Only approved initiatives are public: a source sees its own (with source=), staff see all")
            status = readers.PUBLIC_STATUS  # a lifted, pushed-down equality: the public list walks as fast as before
        filters = search.Filters(status, theme, organizer_kind, source, district, target_group, language, origin, period_from, period_to, q)
        try:
            view = lambda state, version: readers.view(reader, state, version, item=True)  # noqa: E731
            items, nxt = await search.find_page(parts.submissions.collection, filters, cursor, limit, view=view)
        except search.BadCursor:
            raise refused(422, "cursor", "invalid_cursor", "Not a cursor this list gave out: pass next_cursor as it came") from None
        return Page(items=items, next_cursor=nxt)

    @r.get("/initiatives/{initiative_id}", tags=["initiatives"], summary="An initiative: current state, every revision, every review step",
           description="Without a key: a stamped initiative's public fields only (404 for any other). With the source's own key "
                       "or a staff key: the whole state, with the contact, every revision and every review step.", **KEY_OPTIONAL)
    async def get_initiative(initiative_id: str, principal: Anyone) -> dict:
        doc = await parts.submissions.get_document(initiative_id)
        shown = readers.view(readers.Reader.of(principal), doc["state"], doc["state_version"]) if doc else None
        if shown is None:  # unreviewed work is not revealed to exist
            raise refused(404, "initiative_id", "not_found", "No such initiative")
        return shown

    @r.get("/lookup", tags=["initiatives"], summary="Find an initiative by its publisher's (source, external_id)", **KEY_OPTIONAL)
    async def lookup(source: str, external_id: str, principal: Anyone) -> dict:
        return await get_initiative(domain.initiative_id(source, external_id), principal)

    return r
