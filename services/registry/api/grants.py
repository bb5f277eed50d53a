"""Grants: curators record what the city grants each stamped initiative of an edition, within its budget."""

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from services.registry.api.deps import AnyKey, Curator, GrantsDep
from services.registry.domain.grants import GrantRequest
from shared.fields import Whole
from shared.openapi import problems

router = APIRouter(prefix="/v1", tags=["grants"])


class GrantIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    amount_sek: Whole = Field(ge=0, le=1_000_000_000, description="SEK granted to the initiative; 0 withdraws its grant.")


@router.put("/editions/{edition_id}/grants/{initiative_id}", summary="Grant an approved initiative of the edition an amount (0 withdraws)",
            description="Refused with 409 on `amount_sek` (code `over_budget`, `remaining_sek` beside it) when the edition's grants "
                        "would pass its budget; 409/404 on `initiative_id` when the initiative is unknown, of another edition or not "
                        "approved. / Beviljat belopp för ett stämplat initiativ, inom forumperiodens budget.",
            responses=problems(**{"409": "Over the budget, or the initiative is of another edition or not approved."}))
async def grant(edition_id: str, initiative_id: str, body: GrantIn, principal: Curator, grants: GrantsDep) -> dict:
    return await grants.grant(edition_id, GrantRequest(initiative_id, body.amount_sek, principal.key_id))


@router.get("/editions/{edition_id}/grants", summary="An edition's grants: SEK by initiative, their sum, what remains of the budget")
async def book(edition_id: str, principal: AnyKey, grants: GrantsDep) -> dict:
    return await grants.book(edition_id)
