"""Curators' review: a step with a comment, erasing an organiser's contact, and the work list."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.registry.adapters.search import Filters
from services.registry.api.deps import Curator, CurationDep, OrganiserContactsDep, SearchDep, SubmissionsDep
from services.registry.domain.review import ReviewStep
from shared.fields import whole
from shared.events.initiatives import InitiativeStatus, OrganizerKind, Origin, ReviewDecision
from shared.openapi import problems

router = APIRouter(prefix="/v1", tags=["review"])


class ReviewIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    decision: ReviewDecision = Field(description="in_review (start), approved, changes_requested or rejected.")
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = Field(
        default="", description="To the organiser; required for changes_requested and rejected."
    )
    version: whole(ge=1, le=2**31) | None = Field(default=None, description="The version you reviewed: 409 if the initiative changed since.")


@router.post("/initiatives/{initiative_id}/review", summary="A curator's review step, with a comment",
             responses=problems(**{"409": "The initiative changed since `version`."}))
async def review(initiative_id: str, body: ReviewIn, principal: Curator, curation: CurationDep, submissions: SubmissionsDep) -> dict:
    step = ReviewStep(body.decision, body.comment, principal.key_id, body.version)
    await curation.review(initiative_id, step)  # False: the same step again, nothing changed; refused: a 4xx
    return await submissions.get(initiative_id)


@router.delete("/initiatives/{initiative_id}/contact", summary="Erase the organiser's contact on request, in every revision",
               description="Removes the contact (name, email, phone) from the current content and every revision, and tells "
                           "registry.contacts.v1, so notifications forgets it and every message to it. Repeating it changes nothing. / "
                           "Raderar arrangörens kontaktuppgifter i alla versioner.")
async def erase_contact(initiative_id: str, principal: Curator, contacts: OrganiserContactsDep, submissions: SubmissionsDep) -> dict:
    await contacts.erase(initiative_id)  # refused (404) when there is no such initiative
    return await submissions.get(initiative_id)


@router.get("/review/queue", summary="Curators' work list: what waits for review, oldest first")
async def queue(
    principal: Curator,
    search: SearchDep,
    status: Annotated[list[InitiativeStatus] | None, Query(description="Default: submitted and in_review.")] = None,
    edition: Annotated[str | None, Query(description="The edition an initiative belongs to: the one its period overlaps, or the "
                                                     "next one not over when it has no period (the same rule as `late`).")] = None,
    theme: str | None = None,
    organizer_kind: OrganizerKind | None = None,
    source: str | None = None,
    district: str | None = None,
    origin: Origin | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    late: Annotated[bool | None, Query(description="true: only those submitted after their edition's window closed; false: only the others.")] = None,
    changed_since_stamped: Annotated[bool, Query(description=(
        "true: only those stamped (approved) at some point that have a revision newer than their latest stamp, whether it kept "
        "the stamp or lifted it; then the default status also takes in approved. Each item's stamped_revision names the stamped one."))] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict:
    statuses = status or [InitiativeStatus.submitted, InitiativeStatus.in_review, *([InitiativeStatus.approved] if changed_since_stamped else [])]
    f = Filters(theme=theme, organizer_kind=organizer_kind, source=source, district=district, origin=origin, text=q, edition=edition)
    return {"items": await search.work_list(statuses, f, limit, late, changed_since_stamped)}
