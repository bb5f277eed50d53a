"""Vocabularies: anyone reads them; curators add, change and retire terms."""

import re
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter

from services.registry.api.deps import Curator, VocabulariesDep
from services.registry.domain.vocabularies import CODE_PATTERN, VOCABULARIES, TermIn, check_term
from shared.http import problem, problem_response
from shared.openapi import link

router = APIRouter(prefix="/v1", tags=["vocabularies"])


def _vocabulary(name: str) -> None:
    if name not in VOCABULARIES:
        raise problem(404, "vocabulary", "not_found", f"Vocabularies are {', '.join(VOCABULARIES)}")


@router.get("/vocabularies", summary="Every vocabulary, with its labels in every language given")
async def vocabularies(kept: VocabulariesDep) -> dict:
    return await kept.all()


@router.get("/vocabularies/{name}", summary="One vocabulary's terms")
async def vocabulary(name: str, kept: VocabulariesDep) -> dict:
    _vocabulary(name)
    return (await kept.all()).get(name, {})


@router.put("/vocabularies/{name}/terms/{code}", summary="Add or change a term (labels, retired; a language's endonym, direction, platform)",
            responses={200: {"description": "The term as kept", "links": {
                "GetVocabulary": link("GET", "/v1/vocabularies/{name}", name="$request.path.name"),
                "RetireTerm": link("DELETE", "/v1/vocabularies/{name}/terms/{code}", name="$request.path.name", code="$request.path.code")}}})
async def put_term(name: str, code: str, body: TermIn, principal: Curator, kept: VocabulariesDep) -> Any:
    _vocabulary(name)
    if not re.fullmatch(CODE_PATTERN[name], code):
        raise problem(422, "code", "invalid_code", f"Codes of {name} match {CODE_PATTERN[name]}")
    reasons = check_term(name, code, body, (await kept.all()).get("languages", {}))
    if reasons:
        return problem_response(422, [r.model_dump() for r in reasons])
    return {code: await kept.put(name, code, body, datetime.now(UTC))}


@router.delete("/vocabularies/{name}/terms/{code}", summary="Retire a term (kept valid on initiatives that have it)")
async def retire_term(name: str, code: str, principal: Curator, kept: VocabulariesDep) -> dict:
    _vocabulary(name)
    term = (await kept.all()).get(name, {}).get(code)
    if term is None:
        raise problem(404, "code", "not_found", f"'{code}' is not in {name}")
    retired = TermIn.model_validate({**term, "retired": True})
    return {code: await kept.put(name, code, retired, datetime.now(UTC))}
