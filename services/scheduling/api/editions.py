"""Editions (forum periods) and automatic placement: the schedulers' routes."""

from datetime import UTC, datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.scheduling.domain.conflicts import Mode, Rule
from services.scheduling.domain.placement import Placement
from services.scheduling.api.deps import PlanningDep, ProgrammeDep, Staff
from services.scheduling.api.fields import Moment
from shared.fields import whole
from shared.fields import Day
from shared.events.common import Title
from shared.openapi import problems


def _not_before(field: str, message: str):
    def check(cls, v, info: ValidationInfo):
        other = info.data.get(field)
        if v is not None and other is not None and v < other:
            raise ValueError(message)
        return v

    return check


class EditionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    edition_id: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="Chosen id, e.g. 'om-2025'; generated if absent.")
    name: Title = Field(examples=[{"sv": "Öppna Malmö 2025", "en": "Open Malmö 2025"}])
    year: whole(2000, 2100) = Field(examples=[2025])
    starts_on: Day = Field(examples=["2025-10-06"])
    ends_on: Day = Field(examples=["2025-10-19"])
    submission_opens_on: Day | None = None
    submission_closes_on: Day | None = None
    budget_sek: whole(0, 10**12) = Field(examples=[3780000])
    reminder_hours_before: whole(0, 24 * 14) = Field(default=24)
    changeover_minutes: whole(0, 240) = Field(default=15, description="Buffer between two sessions at one venue.")
    rules: dict[Rule, Mode] = Field(default_factory=dict, description="Per conflict rule: block or warn (defaults: accessibility warns, the rest block).")

    _ends = field_validator("ends_on")(_not_before("starts_on", "The edition ends before it starts"))
    _closes = field_validator("submission_closes_on")(_not_before("submission_opens_on", "Submissions close before they open"))


class EditionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Title | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    submission_opens_on: Day | None = None
    submission_closes_on: Day | None = None
    budget_sek: whole(0, 10**12) | None = None
    reminder_hours_before: whole(0, 24 * 14) | None = None
    changeover_minutes: whole(0, 240) | None = None
    rules: dict[Rule, Mode] | None = None


class PlacementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: str
    venue_id: str
    starts_at: Moment
    ends_at: Moment


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    placements: list[PlacementIn] = Field(max_length=1000)


router = APIRouter(prefix="/v1/editions", tags=["editions"])


@router.post(
    "",
    status_code=201,
    summary="Plan an edition (a forum period)",
    responses={
        200: {"description": "The very same plan again (same edition_id, same content): the edition, unchanged"},
        **problems(**{"409": "An edition with this edition_id exists with other content (`edition_id`/`exists`): change it with PATCH"}),
    },
)
async def plan(body: EditionIn, response: Response, _: Staff, planning: PlanningDep) -> dict:
    fields = body.model_dump(mode="json", exclude_none=True)
    edition, created = await planning.plan_edition(fields, datetime.now(UTC))
    if not created:
        response.status_code = 200
    return edition


@router.get("", summary="Every edition")
async def list_all(programme: ProgrammeDep) -> list[dict]:
    return sorted(programme.editions.values(), key=lambda e: e["starts_on"])


@router.get("/{edition_id}", summary="One edition", responses=problems(404))
async def get(edition_id: str, planning: PlanningDep) -> dict:
    return planning.edition_view(edition_id)


@router.patch(
    "/{edition_id}",
    summary="Change an edition (dates, budget, rules, buffer)",
    responses=problems(404, **{"409": "The edition is closed", "422": "The period or the submission window would run backwards, with what is stored: names the day moved"}),
)
async def update(edition_id: str, body: EditionPatch, _: Staff, planning: PlanningDep) -> dict:
    changes = body.model_dump(mode="json", exclude_none=True)
    return await planning.update_edition(edition_id, changes, datetime.now(UTC))


@router.get("/{edition_id}/conflicts", summary="Every conflict in the edition as it stands now", responses=problems(404))
async def conflicts(edition_id: str, _: Staff, planning: PlanningDep) -> dict:
    found = planning.conflicts_in(edition_id)
    return {"count": len(found), "conflicts": [c.as_dict() for c in found]}


@router.post("/{edition_id}/publish", summary="Publish the programme: every scheduled session becomes public",
             responses=problems(404, **{"409": "The edition is closed, or not in a state that publishes"}))
async def publish(edition_id: str, _: Staff, planning: PlanningDep) -> dict:
    return await planning.advance_edition(edition_id, "programme_published", datetime.now(UTC))


@router.post("/{edition_id}/close", summary="Close the edition", responses=problems(404, **{"409": "The edition is closed already"}))
async def close(edition_id: str, _: Staff, planning: PlanningDep) -> dict:
    return await planning.advance_edition(edition_id, "closed", datetime.now(UTC))


@router.post(
    "/{edition_id}/placement",
    summary="Propose a conflict-free placement of the unscheduled sessions (a draft)",
    description=(
        "Hard: what a venue must have (capacity, the venue features the session promises, one of its languages) and a "
        "free venue and organiser. Services the organiser brings (sign_language, captioning, easy_swedish, "
        "audio_description) are no venue's concern; rules set to warn never leave a session out (`warnings`). "
        "Each unplaced session has a `code` and a `reason`."
    ),
    responses=problems(404),
)
async def propose(edition_id: str, _: Staff, planning: PlanningDep, programme: ProgrammeDep) -> dict:
    proposal, waiting = await planning.propose(edition_id)
    venues = programme.venues
    return {
        "edition_id": edition_id,
        "solver_status": proposal.solver_status,
        "placements": [
            {
                "session_id": p.session_id,
                "venue_id": p.venue_id,
                "venue_name": venues[p.venue_id]["name"],
                "starts_at": p.starts_at.isoformat(),
                "ends_at": p.ends_at.isoformat(),
            }
            for p in proposal.placements
        ],
        "unplaced": [{"session_id": s, "code": proposal.reasons[s].code, "reason": proposal.reasons[s].message} for s in proposal.unplaced],
        "warnings": [c.as_dict() for c in proposal.warnings],
        "considered": len(waiting),
    }


@router.post("/{edition_id}/placement/accept", summary="Accept a proposal, as proposed or edited; each placement is checked",
             responses=problems(404))
async def accept(edition_id: str, body: AcceptIn, _: Staff, planning: PlanningDep) -> dict:
    placements = [Placement(p.session_id, p.venue_id, p.starts_at, p.ends_at) for p in body.placements]
    return {"results": await planning.accept(placements, datetime.now(UTC))}
