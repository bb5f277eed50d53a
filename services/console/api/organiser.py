"""The organiser's pages (signed in with its source's key): submit a new initiative, revise one of
its own, withdraw one. Each action is the CloudEvent a publisher sends to ``POST /v1/submissions``
with the session's key; the registry checks everything, and its reasons are shown beside the
fields they name with everything typed kept. An initiative's source and external id are the
registry's (read with the key before a revision or a withdrawal), so the registry alone decides
whether this key may send it (403: the not-allowed page)."""

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api.deps import RegistryDep, SignedIn, VocabulariesDep, checked_form
from services.console.api.pages import answered, expect, page_words, render, vocabulary_terms
from services.console.api.review import CHOICES, initiative_page
from services.console.usecases import organiser
from services.console.usecases.form_fields import Chosen
from services.console.usecases.sessions import Session
from services.console.usecases.terms import label_languages

router = APIRouter(include_in_schema=False)
RECEIVED = ("submitted", "revised", "withdrawn")


async def _form_page(request: Request, session: Session, vocabularies, chosen: Chosen, *, action: str, heading: str,
                     status: int = 200, reasons: list[dict] | None = None, i: dict | None = None) -> Response:
    """The initiative form: every vocabulary's terms by label (and any code already chosen, even a
    retired one), what was typed, and the registry's reasons beside their fields."""
    words, known = await page_words(request), await vocabularies.current()
    terms = {}
    for name in organiser.CHECKBOXES:
        offered = vocabulary_terms(known, name, words)
        codes = {code for code, _ in offered}
        terms[name] = offered + [(c, words.value(name, c)) for c in chosen.get(name, []) if c and c not in codes]
    offered = [language.code for language in label_languages(known)]
    text_langs = organiser.text_languages(offered, chosen)
    return render(request, "organiser_form.html", session, status, chosen=chosen, reasons=reasons or [], fields_known=organiser.FIELDS, terms=terms,
                  action=action, heading=heading, i=i, text_langs=text_langs,
                  language_names={code: words.value("languages", code) for code in text_langs}, **CHOICES)


async def _posted(request: Request, session: Session) -> Chosen:
    """The form as typed, every value of each field (``checked_form`` checks the CSRF token)."""
    await checked_form(request, session)
    raw = (await request.body()).decode("utf-8", errors="replace")
    return {k: [v.replace("\r\n", "\n") for v in vs] for k, vs in parse_qs(raw, keep_blank_values=True).items() if k != "csrf"}


@router.get("/submit")
async def submit_form(request: Request, session: SignedIn, vocabularies: VocabulariesDep) -> Response:
    chosen = {"external_id": [organiser.new_external_id()]}
    return await _form_page(request, session, vocabularies, chosen, action="/submit", heading="submit_title")


@router.post("/submit")
async def submit(request: Request, session: SignedIn, registry: RegistryDep, vocabularies: VocabulariesDep) -> Response:
    chosen = await _posted(request, session)
    external_id = organiser.one(chosen, "external_id") or organiser.new_external_id()
    chosen["external_id"] = [external_id]
    event = organiser.submission(session.source or "", external_id, 1, organiser.content_of(chosen))
    answer = await registry.submit(session.key, event)
    return await answered(answer, lambda body: f"/initiatives/{body['initiative_id']}/received?what=submitted",
                          lambda status, reasons: _form_page(request, session, vocabularies, chosen, action="/submit", heading="submit_title",
                                                             status=status, reasons=organiser.placed(reasons)),
                          refused_here=(422,))


@router.get("/initiatives/{initiative_id}/revise")
async def revise_form(initiative_id: str, request: Request, session: SignedIn, registry: RegistryDep,
                      vocabularies: VocabulariesDep) -> Response:
    i = expect(await registry.initiative(session.key, initiative_id))
    chosen = {**organiser.form_of(i.get("content")), "revision": [str(i["revision"] + 1)]}
    return await _form_page(request, session, vocabularies, chosen, action=f"/initiatives/{initiative_id}/revise",
                            heading="revise_title", i=i)


@router.post("/initiatives/{initiative_id}/revise")
async def revise(initiative_id: str, request: Request, session: SignedIn, registry: RegistryDep, vocabularies: VocabulariesDep) -> Response:
    chosen = await _posted(request, session)
    i = expect(await registry.initiative(session.key, initiative_id))
    revision = organiser.one(chosen, "revision") or str(i["revision"] + 1)  # the one the form was shown for: sent twice, kept once
    chosen["revision"] = [revision]
    event = organiser.submission(i["source"], i["external_id"], revision, organiser.content_of(chosen))
    answer = await registry.submit(session.key, event)
    return await answered(answer, lambda _: f"/initiatives/{initiative_id}/received?what=revised",
                          lambda status, reasons: _form_page(request, session, vocabularies, chosen, action=f"/initiatives/{initiative_id}/revise",
                                                             heading="revise_title", status=status, reasons=organiser.placed(reasons), i=i),
                          refused_here=(422,))


@router.get("/initiatives/{initiative_id}/withdraw")
async def withdraw_form(initiative_id: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    i = expect(await registry.initiative(session.key, initiative_id))
    return render(request, "organiser_withdraw.html", session, i=i, reasons=[], reason="")


@router.post("/initiatives/{initiative_id}/withdraw")
async def withdraw(initiative_id: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    form = await checked_form(request, session)
    i = expect(await registry.initiative(session.key, initiative_id))
    answer = await registry.submit(session.key, organiser.withdrawal(i["source"], i["external_id"], i["revision"], form.get("reason", "")))

    async def again(status: int, reasons: list[dict]) -> Response:  # beside the reason, what was typed kept
        return render(request, "organiser_withdraw.html", session, status, i=i, reasons=reasons, reason=form.get("reason", ""))

    return await answered(answer, lambda _: f"/initiatives/{initiative_id}/received?what=withdrawn", again, refused_here=(422,))


@router.get("/initiatives/{initiative_id}/received")
async def received(initiative_id: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    """The initiative's page after an action, saying the registry received it (a GET: reloading sends nothing)."""
    what = request.query_params.get("what")
    return await initiative_page(request, session, registry, initiative_id, received=what if what in RECEIVED else None)
