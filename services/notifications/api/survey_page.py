"""The survey's answer page: public, server-rendered, no JavaScript, in every platform language
with the page's words (``templates/pages/feedback.json``; Swedish, English and Arabic).

``GET /feedback/{token}?score=N&lang=xx`` shows the form with that score chosen and records
nothing (mail scanners follow links); ``POST`` records the answer and shows the thanks. A link
already used answers 409 (an answer is not replaced), one past its 30 days 410, an unknown 404.
"""

from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from services.notifications import render as r
from services.notifications.api.deps import FeedbackDep, VocabulariesDep
from services.notifications.domain.feedback import COMMENT_MAX
from services.notifications.usecases.feedback import RECORDED
from shared.languages import platform_languages
from shared.vocabularies import VocabularyCopies

router = APIRouter(tags=["feedback"])
PAGE = "feedback"
REFUSED = {"answered": 409, "closed": 410, "unknown": 404}
HTML = {"text/html": {"schema": {"type": "string"}}}
PAGES = {200: {"description": "The page", "content": HTML},
         404: {"description": "No survey has this link: a page saying so", "content": HTML},
         409: {"description": "The survey was answered already: a page saying so", "content": HTML},
         410: {"description": "The survey closed (30 days): a page saying so", "content": HTML}}
ANSWER = {"type": "object", "required": ["score"], "properties": {
    "score": {"type": "integer", "minimum": 1, "maximum": 5}, "would_come_again": {"type": "string", "enum": ["yes", "no"]},
    "comment": {"type": "string", "maxLength": COMMENT_MAX}, "lang": {"type": "string", "maxLength": 12}}}


async def _offered(vocabularies: VocabularyCopies, wanted: str | None) -> str:
    """The link's language where the platform offers it (a platform language with the page's words), else Swedish."""
    offered = [x.code for x in platform_languages(await vocabularies.fresh(), r.page_labels(PAGE))]
    return wanted if wanted in offered else "sv"


def _page(lang: str, status: int, key: str, **ctx) -> HTMLResponse:
    L = r.page_labels(PAGE)[r.page_language(PAGE, lang)]
    return HTMLResponse(r.render_page(PAGE, lang, {"heading": L[key], "text": L.get(f"{key}_text"), "form": False, "what": None, **ctx}), status)


def _form(lang: str, token: str, session: dict | None, status: int = 200, errors: dict | None = None, **chosen) -> HTMLResponse:
    lang = r.page_language(PAGE, lang)
    what = r.title_in((session or {}).get("title"), lang) or None
    return _page(lang, status, "title", text=None, form=True, what=what, action=f"/feedback/{token}", errors=errors or {},
                 score=chosen.get("score"), again=chosen.get("again"), comment=chosen.get("comment") or "")


@router.get("/feedback/{token}", response_class=HTMLResponse, summary="The survey's form, a score chosen (records nothing) / Enkätens formulär",
            responses=PAGES)
async def feedback_form(token: str, feedback: FeedbackDep, vocabularies: VocabulariesDep, score: int | None = Query(default=None),
                        lang: str = Query(default="sv", max_length=12)) -> HTMLResponse:
    lang = await _offered(vocabularies, lang)
    status, session = await feedback.status(token)
    if status != "open":
        return _page(lang, REFUSED[status], status)
    return _form(lang, token, session, score=score if score in range(1, 6) else None)


@router.post("/feedback/{token}", response_class=HTMLResponse, summary="Answer the survey (once) / Svara på enkäten",
             responses={**PAGES, 422: {"description": "No score from 1 to 5, or a comment too long: the form again, saying so", "content": HTML}},
             openapi_extra={"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": ANSWER}}}})
async def feedback_answer(token: str, request: Request, feedback: FeedbackDep, vocabularies: VocabulariesDep) -> HTMLResponse:
    fields = {k: v[0] for k, v in parse_qs((await request.body()).decode(errors="replace")).items()}
    lang, comment, again = await _offered(vocabularies, fields.get("lang")), fields.get("comment", ""), fields.get("would_come_again")
    score = int(fields["score"]) if fields.get("score", "").isdigit() else None
    L = r.page_labels(PAGE)[r.page_language(PAGE, lang)]
    errors = {**({"score": L["score_missing"]} if score not in range(1, 6) else {}), **({"comment": L["comment_long"]} if len(comment) > COMMENT_MAX else {})}
    if errors:
        status, session = await feedback.status(token)
        if status != "open":
            return _page(lang, REFUSED[status], status)
        return _form(lang, token, session, 422, errors, score=score, again=again, comment=comment)
    outcome = await feedback.answer(token, score, {"yes": True, "no": False}.get(again or ""), comment)
    if outcome != RECORDED:
        return _page(lang, REFUSED[outcome], outcome)
    return _page(lang, 200, "thanks")
