"""Publishers (sources): registering, keys, changes, and each source's rejected messages; a source
sees and manages only itself, curators every one."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.convertors import Convertor, register_url_convertor

from services.registry.adapters.rejections import MAX_PAGE
from services.registry.api.deps import Curator, RejectionsDep, SourceOrCurator, SourcesDep
from services.registry.domain.sources import NewKey, SourceChange, SourceIn, public_view
from shared.auth import Principal, Role, hash_key, new_key
from shared.http import problem
from shared.openapi import link, problems

router = APIRouter(prefix="/v1", tags=["sources"])

_SOURCE = "$response.body#/source/source"
_KEY = {"RevokeKey": link("DELETE", "/v1/sources/{source}/keys/{key_id}", source=_SOURCE, key_id="$response.body#/key_id")}
_REGISTERED = _KEY | {
    "GetSource": link("GET", "/v1/sources/{source}", source=_SOURCE),
    "ChangeSource": link("PATCH", "/v1/sources/{source}", source=_SOURCE),
    "AddKey": link("POST", "/v1/sources/{source}/keys", source=_SOURCE),
    "Rejections": link("GET", "/v1/sources/{source}/rejections", source=_SOURCE),
}


class SourceInPath(Convertor):
    """A source URI in a path: it may hold '/' (even encoded ones), but never ends in the suffix of
    another route of a source (``/keys``, ``/keys/<id>``, ``/rejections``), so each path has one
    route: ``PATCH /v1/sources/x/rejections`` is 405, not a change of a source ``x/rejections``."""

    regex = r"(?:(?!/keys(?:/[^/]*)?$|/rejections$)[\s\S])+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("source", SourceInPath())


def _own_or_curator(principal: Principal, source: str) -> None:
    if principal.role == Role.source and principal.source != source:
        raise problem(403, "source", "not_your_source", "A source sees and manages only itself")


async def _with_new_key(issue: Callable[[NewKey], Awaitable[dict]]) -> dict:
    """A fresh API key handed to ``issue`` (register or rotate) as its hash; the source's public view
    and the key, shown this once."""
    key_id, key = new_key()
    state = await issue(NewKey(key_id, hash_key(key)))
    return {"source": public_view(state), "key_id": key_id, "api_key": key}


@router.get("/sources/{source:source}/rejections", summary="The source's rejected messages, newest first")
async def rejections(
    source: str,
    principal: SourceOrCurator,
    kept: RejectionsDep,
    before: Annotated[str | None, Query(description="Only rejections before this time (the `at` of the last one seen).")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> dict:
    _own_or_curator(principal, source)
    # A curator also sees what was sent in the name of a source not registered at the time.
    return {"items": await kept.of(source, before, limit, unregistered_too=Role.curator in principal.roles)}


@router.get("/rejections/unattributed", summary="Refused messages whose source could not be read (staff)",
            description="How many, and the newest: where each is on the dead-letter topic and why, without its bytes. / "
                        "Avvisade meddelanden utan läsbar källa: antal och de senaste, utan innehåll.")
async def unattributed_rejections(principal: Curator, kept: RejectionsDep, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50) -> dict:
    return await kept.unattributed(limit)


@router.post("/sources/{source:source}/keys", status_code=201, summary="A new API key (rotation); shown once",
             responses={201: {"description": "The new key, shown once", "links": _KEY},
                        **problems(**{"409": "The source has its most active keys: revoke one first."})})
async def add_key(source: str, principal: SourceOrCurator, sources: SourcesDep) -> dict:
    _own_or_curator(principal, source)
    return await _with_new_key(lambda k: sources.add_key(source, k, datetime.now(UTC)))


@router.delete("/sources/{source:source}/keys/{key_id}", summary="Revoke one API key")
async def revoke_key(source: str, key_id: str, principal: SourceOrCurator, sources: SourcesDep) -> dict:
    _own_or_curator(principal, source)
    return public_view(await sources.revoke(source, key_id, datetime.now(UTC)))


@router.post("/sources", status_code=201, summary="Register a publisher; its first API key is shown once",
             responses={201: {"description": "The source and its first key, shown once", "links": _REGISTERED},
                        **problems(**{"409": "The source is registered already."})})
async def register(body: SourceIn, principal: Curator, sources: SourcesDep) -> dict:
    return await _with_new_key(lambda k: sources.register(body, k, datetime.now(UTC)))


@router.get("/sources", summary="Every registered publisher")
async def list_sources(principal: Curator, sources: SourcesDep) -> dict:
    return {"items": [public_view(s) for s in await sources.list()]}


@router.patch("/sources/{source:source}", summary="Change a publisher's names, kind, principal, or deactivate it")
async def change_source(source: str, body: SourceChange, principal: Curator, sources: SourcesDep) -> dict:
    return public_view(await sources.change(source, body, datetime.now(UTC)))


@router.get("/sources/{source:source}", summary="One publisher (a curator, or the source itself)")
async def get_source(source: str, principal: SourceOrCurator, sources: SourcesDep) -> dict:
    _own_or_curator(principal, source)
    state = await sources.get(source)
    if state is None:
        raise problem(404, "source", "not_found", "No such source")
    return public_view(state)
