"""``GET /v1/me``: who a key is — its role, and for a publisher's key its source and names.

Any valid key may ask (staff or source); no key or a bad one is 401, as everywhere. The staff
console asks this at sign-in to know whom it signs in (docs/console.md)."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.registry.api.deps import AnyKey, SourcesDep
from services.registry.domain.sources import SourceNames
from shared.auth import Role

router = APIRouter(prefix="/v1", tags=["me"])


class Me(BaseModel):
    role: Role = Field(description="The key's role: source, curator, scheduler or analyst.")
    source: str | None = Field(description="A publisher's key: its source URI; null for staff keys.")
    name: SourceNames | None = Field(description="A publisher's key: its source's names (sv, en); null for staff keys.")


@router.get("/me", response_model=Me, summary="Who this key is: its role, and a publisher's source and names",
            description="For any valid key (staff or a source's). / Vem nyckeln tillhör: roll, och en utgivares källa och namn.")
async def me(principal: AnyKey, sources: SourcesDep) -> Me:
    state = await sources.cached(principal.source) if principal.source else None
    return Me(role=principal.role, source=principal.source, name=(state or {}).get("name"))
