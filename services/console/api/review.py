"""The curator's pages: the review work list, an initiative, and a review step. Each is one call
to the registry with the signed-in key; what the registry refuses is what the page shows."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api.deps import RegistryDep, SchedulingDep, SignedIn, VocabulariesDep, checked_form
from services.console.api.pages import answered, edition_choices, expect, language, page_words, render, vocabulary_terms
from services.console.usecases.initiatives import current_fields, revisions, since_stamp
from shared.events.initiatives import InitiativeStatus, OrganizerKind, Origin, ReviewDecision

router = APIRouter(include_in_schema=False)

# The work list's filters, passed to GET /v1/review/queue as they are (the registry checks them).
FILTERS = ("status", "edition", "theme", "organizer_kind", "source", "district", "origin", "q", "late", "changed_since_stamped", "limit")
CHOICES = {"statuses": [s.value for s in InitiativeStatus], "organizer_kinds": [k.value for k in OrganizerKind],
           "origins": [o.value for o in Origin], "decisions": [d.value for d in ReviewDecision]}


@router.get("/review")
async def work_list(request: Request, session: SignedIn, registry: RegistryDep, vocabularies: VocabulariesDep,
                    scheduling: SchedulingDep) -> Response:
    params = [(k, v) for k, v in request.query_params.multi_items() if k in FILTERS and v.strip()]
    answer = await registry.work_list(session.key, params)
    words, known = await page_words(request), await vocabularies.current()
    terms = {"themes": vocabulary_terms(known, "themes", words), "districts": vocabulary_terms(known, "districts", words),
             "editions": await edition_choices(scheduling, session.key, language(request))}
    if answer.status == 422:  # a filter the registry refuses: shown beside it
        return render(request, "review_list.html", session, 422, items=[], chosen=_chosen(params), reasons=_by_filter(answer.reasons()),
                      terms=terms, **CHOICES)
    body = expect(answer)
    return render(request, "review_list.html", session, items=body["items"], chosen=_chosen(params), reasons=[], terms=terms, **CHOICES)


def _by_filter(reasons: list[dict]) -> list[dict]:
    """The registry names a query parameter ``query.<name>[.<index>]``: here, by the filter's name."""
    return [{**r, "field": r["field"].split(".")[1]} if r.get("field", "").startswith("query.") else r for r in reasons]


def _chosen(params: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The filters as the form shows them again: each name's values."""
    chosen: dict[str, list[str]] = {}
    for k, v in params:
        chosen.setdefault(k, []).append(v)
    return chosen


async def initiative_page(request: Request, session, registry, initiative_id: str, status: int = 200, **extra) -> Response:
    initiative = expect(await registry.initiative(session.key, initiative_id))
    words = await page_words(request)
    return render(request, "initiative.html", session, status, i=initiative, fields=current_fields(initiative.get("content"), words.value),
                  revisions=revisions(initiative.get("history", []), words.value), since=since_stamp(initiative, words.value), words=words,
                  **CHOICES, **extra)


@router.get("/initiatives/{initiative_id}")
async def initiative(initiative_id: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    return await initiative_page(request, session, registry, initiative_id)


@router.post("/initiatives/{initiative_id}/review")
async def review(initiative_id: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    form = await checked_form(request, session)
    step = {"decision": form.get("decision", ""), "comment": form.get("comment", "")}
    if form.get("version", "").isdigit():
        step["version"] = int(form["version"])  # the version the curator saw: 409 if it changed since
    answer = await registry.review(session.key, initiative_id, step)
    # a refusal beside the comment, with what was written kept
    return await answered(answer, lambda _: f"/initiatives/{initiative_id}#steps",
                          lambda status, reasons: initiative_page(request, session, registry, initiative_id, status,
                                                                  reasons=reasons, comment=step["comment"]))
