"""``GET /v1/me``: who a key is — its role, and for a publisher's key its source and names; for a
person signed in with the city's identity provider, every role their groups give and their name.

Any valid key or token may ask (staff, source, a person); none or a bad one is 401, as
everywhere. The staff console asks this at sign-in to know whom it signs in (docs/console.md)."""

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
    roles: list[Role] = Field(description="Every role: one for a key; a person's groups may give several (`role` is the first).")
    person: str | None = Field(default=None, description="A person signed in with the identity provider: their name; null for keys.")


@router.get("/me", response_model=Me, summary="Who this key is: its role, and a publisher's source and names",
            description="For any valid key (staff or a source's). / Vem nyckeln tillhör: roll, och en utgivares källa och namn.")
async def me(principal: AnyKey, sources: SourcesDep) -> Me:
    state = await sources.cached(principal.source) if principal.source else None
    roles = [role for role in Role if role in principal.roles]
    return Me(role=principal.role, source=principal.source, name=(state or {}).get("name"), roles=roles, person=principal.name)
