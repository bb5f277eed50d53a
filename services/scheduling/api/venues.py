"""Venues: where sessions take place, with capacity, accessibility and availability."""

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.refusals import Refused
from services.scheduling.api.deps import PlanningDep, ProgrammeDep, Staff
from services.scheduling.api.fields import Moment
from shared.fields import whole
from shared.events.common import Code, LanguageCode, ShortText
from shared.openapi import problems


class Availability(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_at: Moment
    ends_at: Moment

    @field_validator("ends_at")
    @classmethod
    def _after(cls, v, info: ValidationInfo):
        if info.data.get("starts_at") and v <= info.data["starts_at"]:
            raise ValueError("The window ends before it starts")
        return v


class VenueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: ShortText = Field(examples=["Rosengårds bibliotek"])
    address: ShortText = Field(examples=["Lönngatan 30, 214 49 Malmö"])
    district: Code = Field(examples=["rosengard"])
    capacity: whole(1, 100_000)
    accessibility: list[Code] = Field(default_factory=list, max_length=30, examples=[["wheelchair", "hearing_loop"]])
    languages: list[LanguageCode] = Field(default_factory=list, max_length=20, description="Languages the venue can host; empty: any.")
    availability: list[Availability] = Field(default_factory=list, max_length=500, description="When sessions may take place there.")


router = APIRouter(prefix="/v1/venues", tags=["venues"])


def fields(body: VenueIn) -> dict:
    d = body.model_dump(mode="json")
    d["availability"] = [{"starts_at": w.starts_at.isoformat(), "ends_at": w.ends_at.isoformat()} for w in sorted(body.availability, key=lambda w: w.starts_at)]
    return d


@router.post("", status_code=201, summary="Add a venue")
async def create(body: VenueIn, _: Staff, planning: PlanningDep) -> dict:
    return await planning.save_venue(None, fields(body))


@router.put("/{venue_id}", summary="Replace a venue's description; answers the conflicts it now causes", responses=problems(404))
async def replace(venue_id: str, body: VenueIn, _: Staff, planning: PlanningDep, programme: ProgrammeDep) -> dict:
    if venue_id not in await programme.fresh_venues():
        raise Refused(404, "venue_id", "not_found", "No such venue")
    venue = await planning.save_venue(venue_id, fields(body))
    return {**venue, "conflicts": [c.as_dict() for c in planning.conflicts_at_venue(venue_id)]}


@router.get("", summary="Every venue")
async def list_all(programme: ProgrammeDep) -> list[dict]:
    return sorted((await programme.fresh_venues()).values(), key=lambda v: v["name"])


@router.get("/{venue_id}", summary="One venue", responses=problems(404))
async def get(venue_id: str, programme: ProgrammeDep) -> dict:
    venue = (await programme.fresh_venues()).get(venue_id)
    if venue is None:
        raise Refused(404, "venue_id", "not_found", "No such venue")
    return venue
