"""HTTP edge for the city office (and a source about itself): review, sources, vocabularies, rejections."""

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.registry import search
from services.registry.api import Parts, refused
from services.registry.organiser_contacts import OrganiserContacts
from services.registry.rejections import MAX_PAGE, Rejections
from services.registry.review import ReviewRefused, ReviewStep
from services.registry.sources import NewKey, SourceChange, SourceIn, SourceRefused, Sources, public_view
from services.registry.vocabularies import CODE_PATTERN, VOCABULARIES, TermIn, Vocabularies
from shared.auth import Authenticator, Principal, Requires, Role, new_key
from shared.events.initiatives import InitiativeStatus, OrganizerKind, Origin, ReviewDecision


class ReviewIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    decision: ReviewDecision = Field(description="in_review (start), approved, changes_requested or rejected.")
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = Field(
        default="", description="To the organiser; required for changes_requested and rejected."
    )
    version: int | None = Field(default=None, ge=1, le=2**31, description="The version you reviewed: 409 if the initiative changed since.")


class CurationParts:
    sources: Sources
    vocabularies: Vocabularies
    rejections: Rejections
    organiser_contacts: OrganiserContacts


def _own_or_curator(principal: Principal, source: str) -> None:
    if principal.role == Role.source and principal.source != source:
        raise refused(403, "source", "not_your_source", "A source sees and manages only itself")


async def _with_new_key(issue: Callable[[NewKey], Awaitable[dict]]) -> dict:
    """A fresh API key handed to ``issue`` (register or rotate); the source's public view and the key,
    shown this once. A refusal becomes the problem response."""
    key_id, key = new_key()
    try:
        state = await issue(NewKey(key_id, key))
    except SourceRefused as e:
        raise refused(e.status, e.field, e.code, e.message) from None
    return {"source": public_view(state), "key_id": key_id, "api_key": key}


def router(parts: Parts, cp: CurationParts, auth: Authenticator) -> APIRouter:
    r = APIRouter(prefix="/v1")
    Curator = Requires(auth, Role.curator)
    SourceOrCurator = Requires(auth, Role.source, Role.curator)

    # ---- review -------------------------------------------------------------------------
    @r.post("/initiatives/{initiative_id}/review", tags=["review"], summary="A curator's review step, with a comment")
    async def review(initiative_id: str, body: ReviewIn, principal: Curator) -> dict:
        step = ReviewStep(body.decision, body.comment, principal.key_id, body.version)
        try:
            await parts.curation.review(initiative_id, step)  # False: the same step again, nothing changed
        except ReviewRefused as e:
            raise refused(e.status, e.field, e.code, e.message) from None
        return await parts.submissions.get(initiative_id)

    @r.delete("/initiatives/{initiative_id}/contact", tags=["review"], summary="Erase the organiser's contact on request, in every revision",
              description="Removes the contact (name, email, phone) from the current content and every revision, and tells "
                          "registry.contacts.v1, so notifications forgets it and every message to it. Repeating it changes nothing. / "
                          "Raderar arrangörens kontaktuppgifter i alla versioner.")
    async def erase_contact(initiative_id: str, principal: Curator) -> dict:
        if not await cp.organiser_contacts.erase(initiative_id):
            raise refused(404, "initiative_id", "not_found", "No such initiative")
        return await parts.submissions.get(initiative_id)

    @r.get("/review/queue", tags=["review"], summary="Curators' work list: what waits for review, oldest first")
    async def queue(
        principal: Curator,
        status: Annotated[list[InitiativeStatus] | None, Query(description="Default: submitted and in_review.")] = None,
        theme: str | None = None,
        organizer_kind: OrganizerKind | None = None,
        source: str | None = None,
        district: str | None = None,
        origin: Origin | None = None,
        q: Annotated[str | None, Query(max_length=200)] = None,
        late: Annotated[bool | None, Query(description="true: only those submitted after their edition's window closed; false: only the others.")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict:
        statuses = status or [InitiativeStatus.submitted, InitiativeStatus.in_review]
        f = search.Filters(theme=theme, organizer_kind=organizer_kind, source=source, district=district, origin=origin, text=q)
        return {"items": await search.work_list(parts.submissions.collection, statuses, f, limit, late)}

    # ---- sources ------------------------------------------------------------------------
    # Routes with a suffix come first: a source URI may hold '/', so {source:path} is greedy.
    @r.get("/sources/{source:path}/rejections", tags=["sources"], summary="The source's rejected messages, newest first")
    async def rejections(
        source: str,
        principal: SourceOrCurator,
        before: Annotated[str | None, Query(description="Only rejections before this time (the `at` of the last one seen).")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    ) -> dict:
        _own_or_curator(principal, source)
        # A curator also sees what was sent in the name of a source not registered at the time.
        return {"items": await cp.rejections.of(source, before, limit, unregistered_too=principal.role == Role.curator)}

    @r.get("/rejections/unattributed", tags=["sources"], summary="Refused messages whose source could not be read (staff)",
           description="How many, and the newest: where each is on the dead-letter topic and why, without its bytes. / "
                       "Avvisade meddelanden utan läsbar källa: antal och de senaste, utan innehåll.")
    async def unattributed_rejections(principal: Curator, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50) -> dict:
        return await cp.rejections.unattributed(limit)

    @r.post("/sources/{source:path}/keys", tags=["sources"], status_code=201, summary="A new API key (rotation); shown once")
    async def add_key(source: str, principal: SourceOrCurator) -> dict:
        _own_or_curator(principal, source)
        return await _with_new_key(lambda k: cp.sources.add_key(source, k, datetime.now(UTC)))

    @r.delete("/sources/{source:path}/keys/{key_id}", tags=["sources"], summary="Revoke one API key")
    async def revoke_key(source: str, key_id: str, principal: SourceOrCurator) -> dict:
        _own_or_curator(principal, source)
        try:
            return public_view(await cp.sources.revoke(source, key_id, datetime.now(UTC)))
        except SourceRefused as e:
            raise refused(e.status, e.field, e.code, e.message) from None

    @r.post("/sources", tags=["sources"], status_code=201, summary="Register a publisher; its first API key is shown once")
    async def register(body: SourceIn, principal: Curator) -> dict:
        return await _with_new_key(lambda k: cp.sources.register(body, k, datetime.now(UTC)))

    @r.get("/sources", tags=["sources"], summary="Every registered publisher")
    async def list_sources(principal: Curator) -> dict:
        return {"items": [public_view(s) for s in await cp.sources.list()]}

    @r.patch("/sources/{source:path}", tags=["sources"], summary="Change a publisher's names, kind, principal, or deactivate it")
    async def change_source(source: str, body: SourceChange, principal: Curator) -> dict:
        try:
            return public_view(await cp.sources.change(source, body, datetime.now(UTC)))
        except SourceRefused as e:
            raise refused(e.status, e.field, e.code, e.message) from None

    @r.get("/sources/{source:path}", tags=["sources"], summary="One publisher (a curator, or the source itself)")
    async def get_source(source: str, principal: SourceOrCurator) -> dict:
        _own_or_curator(principal, source)
        state = await cp.sources.get(source)
        if state is None:
            raise refused(404, "source", "not_found", "No such source")
        return public_view(state)

    # ---- vocabularies -------------------------------------------------------------------
    def _vocabulary(name: str) -> None:
        if name not in VOCABULARIES:
            raise refused(404, "vocabulary", "not_found", f"Vocabularies are {', '.join(VOCABULARIES)}")

    @r.get("/vocabularies", tags=["vocabularies"], summary="Every vocabulary, with Swedish and English labels")
    async def vocabularies() -> dict:
        return await cp.vocabularies.all()

    @r.get("/vocabularies/{name}", tags=["vocabularies"], summary="One vocabulary's terms")
    async def vocabulary(name: str) -> dict:
        _vocabulary(name)
        return (await cp.vocabularies.all()).get(name, {})

    @r.put("/vocabularies/{name}/terms/{code}", tags=["vocabularies"], summary="Add or change a term (labels, retired)")
    async def put_term(name: str, code: str, body: TermIn, principal: Curator) -> dict:
        _vocabulary(name)
        if not re.fullmatch(CODE_PATTERN[name], code):
            raise refused(422, "code", "invalid_code", f"Codes of {name} match {CODE_PATTERN[name]}")
        return {code: await cp.vocabularies.put(name, code, body, datetime.now(UTC))}

    @r.delete("/vocabularies/{name}/terms/{code}", tags=["vocabularies"], summary="Retire a term (kept valid on initiatives that have it)")
    async def retire_term(name: str, code: str, principal: Curator) -> dict:
        _vocabulary(name)
        term = (await cp.vocabularies.all()).get(name, {}).get(code)
        if term is None:
            raise refused(404, "code", "not_found", f"'{code}' is not in {name}")
        retired = TermIn.model_validate({**term, "retired": True})
        return {code: await cp.vocabularies.put(name, code, retired, datetime.now(UTC))}

    return r
