"""Scheduling's copy of an initiative, as it was told by the registry."""

from fastapi import APIRouter

from services.scheduling.api.deps import InitiativesDep
from shared.http import problem
from shared.openapi import problems

router = APIRouter(prefix="/v1", tags=["initiatives"])


@router.get("/initiatives/{initiative_id}", summary="Scheduling's copy of an initiative", responses=problems(404))
async def get_initiative(initiative_id: str, initiatives: InitiativesDep) -> dict:
    copy = await initiatives.get(initiative_id)
    if copy is None:
        raise problem(404, "initiative_id", "not_found", "No such initiative")
    return copy
