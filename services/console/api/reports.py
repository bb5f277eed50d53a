"""Outcome reports in the console: the organiser files or revises its initiative's report; the
curator's work list of reports, a report's page, and its review step (publish, request changes,
start, partners linked to registered sources). Each action is one registry call with the session's
key; what the registry refuses is shown beside the field it names, with everything typed kept."""

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api.deps import RegistryDep, SignedIn, VocabulariesDep, checked_form
from services.console.api.pages import answered, expect, page_words, render, vocabulary_terms
from services.console.usecases import reports
from services.console.usecases.form_fields import Chosen
from services.console.usecases.sessions import Session
from shared.events.initiatives import OrganizerKind

router = APIRouter(include_in_schema=False)
KINDS = [k.value for k in OrganizerKind]
DECISIONS = ("published", "changes_requested", "in_review")


async def _form_page(request: Request, session: Session, vocabularies, i: dict, chosen: Chosen, status: int = 200,
                     reasons: list[dict] | None = None) -> Response:
    words, known = await page_words(request), await vocabularies.current()
    terms = {name: vocabulary_terms(known, name, words) for name in reports.CHECKBOXES}
    rows = {group: reports.row_count(chosen, group) for group in reports.ROWS}
    return render(request, "reports_form.html", session, status, i=i, chosen=chosen, reasons=reasons or [], terms=terms, rows=rows,
                  kinds=KINDS)


async def _own_report(registry, key: str, initiative_id: str) -> dict | None:
    """The initiative's report as its publisher sees it; None while there is none."""
    answer = await registry.report(key, initiative_id)
    if answer.status == 404:
        return None
    return expect(answer)


@router.get("/initiatives/{initiative_id}/report")
async def report_form(initiative_id: str, request: Request, session: SignedIn, registry: RegistryDep, vocabularies: VocabulariesDep) -> Response:
    i = expect(await registry.initiative(session.key, initiative_id))
    report = await _own_report(registry, session.key, initiative_id)
    chosen = reports.form_of(report["content"], report["revision"] + 1) if report else reports.form_of(None, 1)
    return await _form_page(request, session, vocabularies, i, chosen)


@router.post("/initiatives/{initiative_id}/report")
async def file_report(initiative_id: str, request: Request, session: SignedIn, registry: RegistryDep, vocabularies: VocabulariesDep) -> Response:
    await checked_form(request, session)
    raw = (await request.body()).decode("utf-8", errors="replace")
    chosen = {k: [v.replace("\r\n", "\n") for v in vs] for k, vs in parse_qs(raw, keep_blank_values=True).items() if k != "csrf"}
    i = expect(await registry.initiative(session.key, initiative_id))
    answer = await registry.file_report(session.key, initiative_id, reports.body_of(chosen))
    return await answered(answer, lambda _: f"/reports/{initiative_id}?filed=1",
                          lambda status, reasons: _form_page(request, session, vocabularies, i, chosen, status, reports.placed(reasons, chosen)))


@router.get("/reports")
async def work_list(request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    items = expect(await registry.reports_waiting(session.key))["items"]
    return render(request, "reports_list.html", session, items=items)


async def _report_page(request: Request, session: Session, registry, initiative_id: str, status: int = 200, **extra) -> Response:
    report = expect(await registry.report(session.key, initiative_id))
    sources = []
    if "curator" in session.roles:  # the partners' links are chosen among the registered sources
        answer = await registry.sources(session.key)
        sources = answer.body.get("items", []) if answer.ok else []
    words = await page_words(request)
    return render(request, "reports_report.html", session, status, r=report, words=words, sources=sources, decisions=DECISIONS,
                  filed=request.query_params.get("filed") == "1", **extra)


@router.get("/reports/{initiative_id}")
async def report_page(initiative_id: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    return await _report_page(request, session, registry, initiative_id)


@router.post("/reports/{initiative_id}/review")
async def review(initiative_id: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    form = await checked_form(request, session)
    step = {"decision": form.get("decision", ""), "comment": form.get("comment", ""), "partner_sources": reports.partner_links(form)}
    if form.get("version", "").isdigit():
        step["version"] = int(form["version"])  # the version the curator saw: 409 if it changed since
    answer = await registry.review_report(session.key, initiative_id, step)
    return await answered(answer, lambda _: f"/reports/{initiative_id}#steps",
                          lambda status, reasons: _report_page(request, session, registry, initiative_id, status, reasons=reasons,
                                                               comment=step["comment"], links=step["partner_sources"]))
