"""Reading initiatives: the list (filters, free text, cursor pages), one initiative, a look-up.

Routes translate and call the queries; nothing is decided here. Anyone may read stamped
initiatives' public fields; a key shows more (``domain.readers``: a source its own, staff everything).
"""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.registry.adapters.search import BadCursor, Filters
from services.registry.api.deps import Anyone, SearchDep, SubmissionsDep, reader_of
from services.registry.domain import readers
from services.registry.domain.initiatives import initiative_id as id_of
from shared.auth import KEY_OPTIONAL, Principal
from shared.events.initiatives import InitiativeStatus, OrganizerKind, Origin
from shared.fields import Day
from shared.http import problem
from shared.openapi import problems

router = APIRouter(prefix="/v1", tags=["initiatives"])


class Page(BaseModel):
    items: list[dict] = Field(description="Initiatives' current state as on registry.initiatives.v1; the public sees only stamped ones' "
                                          "public fields, a source's own key and staff also the contact.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")


@router.get("/initiatives", response_model=Page, summary="Find initiatives (filters, cursor pagination)",
            description="Pages come in a stable order. A page may hold fewer than `limit` (a rare filter or free text "
                        "walks further than one page's work) while `next_cursor` is given: follow it until it is null. / "
                        "Sidorna kommer i en stabil ordning. En sida kan ha färre än `limit` medan `next_cursor` finns: "
                        "följ den tills den är null.",
            responses=problems(**{"403": "A status other than approved without a key that sees it."}), **KEY_OPTIONAL)
async def list_initiatives(
    principal: Anyone,
    search: SearchDep,
    status: Annotated[InitiativeStatus | None, Query(description="Without a key only `approved`; a source sees every status of its "
                                                                "own with `source=` its own; staff see all (403 otherwise).")] = None,
    edition: Annotated[str | None, Query(description="The edition it belongs to (the one its period overlaps, else the next one).")] = None,
    theme: str | None = None,
    organizer_kind: OrganizerKind | None = None,
    source: str | None = None,
    district: str | None = None,
    target_group: str | None = None,
    language: str | None = None,
    origin: Origin | None = None,
    period_from: Annotated[Day | None, Query(description="Overlaps a period from this day…")] = None,
    period_to: Annotated[Day | None, Query(description="…to this day (inclusive).")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Free text in titles, summaries, descriptions (any language).")] = None,
    cursor: Annotated[str | None, Query(max_length=100, description="The previous page's next_cursor, as it came.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page:
    if period_from and period_to and period_to < period_from:
        raise problem(422, "period_to", "before_period_from", "period_to is before period_from")
    reader = reader_of(principal)
    if not reader.sees_every_status_of(source):
        if status not in (None, readers.PUBLIC_STATUS):
            raise problem(403, "status", "not_public", "Only approved initiatives are public: a source sees its own (with source=), staff see all")
        status = readers.PUBLIC_STATUS  # a lifted, pushed-down equality: the public list walks as fast as before
    filters = Filters(status, theme, organizer_kind, source, district, target_group, language, origin, period_from, period_to, q, edition)
    try:
        items, nxt = await search.page(filters, cursor, limit, view=lambda state, version: readers.view(reader, state, version, item=True))
    except BadCursor:
        raise problem(422, "cursor", "invalid_cursor", "Not a cursor this list gave out: pass next_cursor as it came") from None
    return Page(items=items, next_cursor=nxt)


async def _shown(initiative_id: str, principal: Principal | None, submissions) -> dict:
    doc = await submissions.get_document(initiative_id)
    shown = readers.view(reader_of(principal), doc["state"], doc["state_version"]) if doc else None
    if shown is None:  # unreviewed work is not revealed to exist
        raise problem(404, "initiative_id", "not_found", "No such initiative")
    return shown


@router.get("/initiatives/{initiative_id}", summary="An initiative: current state, every revision, every review step",
            description="Without a key: a stamped initiative's public fields only (404 for any other). With the source's own key "
                        "or a staff key: the whole state, with the contact, every revision and every review step.", **KEY_OPTIONAL)
async def get_initiative(initiative_id: str, principal: Anyone, submissions: SubmissionsDep) -> dict:
    return await _shown(initiative_id, principal, submissions)


@router.get("/lookup", summary="Find an initiative by its publisher's (source, external_id)", responses=problems(404), **KEY_OPTIONAL)
async def lookup(source: str, external_id: str, principal: Anyone, submissions: SubmissionsDep) -> dict:
    return await _shown(id_of(source, external_id), principal, submissions)
