"""Rendering a page: the templates, the labels in the page's language, the session cookie, and the
pages every refusal leads to (sign-in, 403 CSRF, not allowed, not found, a service away).

The console's languages follow the platform's rule (``shared/languages.py``): the languages the
registry's languages vocabulary marks platform, that the console has labels for
(``labels/<lang>.json``), Swedish first, each named by its endonym and written in its direction
(until the vocabulary is read: every language with labels, by its labels' ``_name`` and ``_dir``).
The page's language is, in order: ``?lang=`` (kept in a cookie from then on), the ``lang`` cookie,
the browser's Accept-Language (q-values), Swedish. A language is one more set of label files.
"""

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.console.adapters.scheduling import Scheduling
from services.console.adapters.services import Answer, ServiceAway
from services.console.api.deps import COOKIE, CsrfRefused, NotSignedIn, current
from services.console.usecases.reasons import said
from services.console.usecases.sessions import Session
from services.console.usecases.words import Words
from shared.languages import BASE, Language, chosen_language, offered_languages

HERE = Path(__file__).resolve().parents[1]
TEMPLATES = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
TEMPLATES.filters["said"] = said  # a refusal in the reader's words: {{ e | said(t) }}


def load_labels(folder: Path) -> dict[str, dict[str, str]]:
    """Each language's labels: ``<lang>.json`` (its name and direction, the shared words) and the
    pages' own ``<area>/<lang>.json`` merged in. A language is one more set of files."""
    labels = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}
    for part in sorted(folder.glob("*/*.json")):
        if part.stem in labels:
            labels[part.stem].update(json.loads(part.read_text(encoding="utf-8")))
    return labels


LABELS = load_labels(HERE / "labels")
DEFAULT_LANGUAGE = BASE
# before the languages vocabulary is read: every language the console has labels for
LABEL_LANGUAGES = sorted((Language(code, t["_name"], t["_dir"]) for code, t in LABELS.items()), key=lambda lang: lang.code != BASE)
LOCAL_HOSTS = ("localhost", "127.0.0.1")


class Refusal(Exception):
    """A service refused what the page asked (401, 403, 404, …): shown as its page."""

    def __init__(self, answer: Answer):
        self.answer = answer


def expect(answer: Answer) -> Any:
    """The body of a 2xx answer; ``Refusal`` otherwise."""
    if not answer.ok:
        raise Refusal(answer)
    return answer.body


def offered(request: Request) -> list[Language]:
    """The console's languages now: the platform languages it has labels for, Swedish first."""
    terms = request.app.state.vocabularies.known().get("languages")
    if terms:
        return offered_languages(terms, LABELS)
    return LABEL_LANGUAGES


def chosen(request: Request, languages: list[Language]) -> Language:
    asked = request.query_params.get("lang")
    if asked not in {language.code for language in languages}:
        asked = request.cookies.get("lang")
    return chosen_language(asked, request.headers.get("accept-language"), languages)


def language(request: Request) -> str:
    """The page's language's code."""
    return chosen(request, offered(request)).code


def _language_links(request: Request, languages: list[Language], lang: str) -> list[dict]:
    """The language menu: this page in each language (its other query parameters kept)."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return [{"code": language.code, "name": language.endonym, "dir": language.direction, "current": language.code == lang,
             "href": f"{request.url.path}?{urlencode([*kept, ('lang', language.code)])}"} for language in languages]


def secure_cookie(request: Request) -> bool:
    """Cookies are Secure except on a local address (plain http there, for ``make run``)."""
    return request.url.hostname not in LOCAL_HOSTS


def set_session_cookie(request: Request, response: Response, session: Session) -> None:
    response.set_cookie(COOKIE, session.id, httponly=True, samesite="strict", secure=secure_cookie(request), path="/")


def render(request: Request, template: str, session: Session | None = None, status: int = 200, **context: Any) -> HTMLResponse:
    languages = offered(request)
    page = chosen(request, languages)
    lang = page.code
    html = TEMPLATES.get_template(template).render(
        t=LABELS[lang], lang=lang, dir=page.direction, languages=_language_links(request, languages, lang), session=session,
        path=request.url.path, **context)
    response = HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})
    if request.query_params.get("lang") == lang:
        response.set_cookie("lang", lang, max_age=365 * 86400, httponly=True, samesite="strict", secure=secure_cookie(request), path="/")
    if session is not None:
        set_session_cookie(request, response, session)
    return response


def redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303)


async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
    return redirect("/signin?expired=1" if exc.expired else "/signin")


async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
    return render(request, "problem.html", current(request), 403, problem="csrf")


async def service_away(request: Request, exc: ServiceAway) -> Response:
    return render(request, "problem.html", current(request), 503, problem="away", service=exc.service)


async def refused(request: Request, exc: Refusal) -> Response:
    """The registry's 401: the key no longer works (revoked), so the session ends. Another service's
    401 is a key it does not take (a publisher's key at scheduling): not allowed, as a 403 is.
    404: not found; others as their page."""
    session, status = current(request), exc.answer.status
    if status == 401 and exc.answer.service == "registry":
        if session is not None:
            request.app.state.sessions.end(session.id)
        return redirect("/signin")
    problem = {401: "forbidden", 403: "forbidden", 404: "not_found"}.get(status, "refused_page")
    return render(request, "problem.html", session, 403 if status == 401 else status, problem=problem, reasons=exc.answer.reasons())


async def answered(answer: Answer, done: Callable[[dict], str], again: Callable[[int, list[dict]], Awaitable[Response]],
                   refused_here: tuple[int, ...] = (409, 422)) -> Response:
    """A form's POST as the service answered it: taken → 303 to ``done(body)`` (no resubmission);
    a status of ``refused_here`` → ``again(status, reasons)``: the form with the reasons beside its
    fields, what was typed kept; anything else its page (``Refusal``)."""
    if answer.ok:
        return redirect(done(answer.body))
    if answer.status in refused_here:
        return await again(answer.status, answer.reasons())
    raise Refusal(answer)


async def page_words(request: Request) -> Words:
    """The page's words: its language's labels and the registry's vocabularies."""
    lang = language(request)
    return Words(LABELS[lang], await request.app.state.vocabularies.current(), lang)


def vocabulary_terms(vocabularies: dict, name: str, words: Words) -> list[tuple[str, str]]:
    """A vocabulary's terms in use, as (code, label), by label: a filter's choices."""
    terms = [(code, words.value(name, code)) for code, term in (vocabularies.get(name) or {}).items() if not term.get("retired")]
    return sorted(terms, key=lambda term: term[1].casefold())


HANDLERS = {NotSignedIn: not_signed_in, CsrfRefused: csrf_refused, ServiceAway: service_away, Refusal: refused}


async def edition_choices(scheduling: Scheduling, key: str, lang: str) -> list[tuple[str, str]]:
    """The editions by name, newest first, for the edition filter; none while scheduling does not
    answer (the filter is then a field for the edition's id: the work list itself is the registry's)."""
    try:
        answer = await scheduling.editions(key)
    except ServiceAway:
        return []
    editions = answer.body if answer.ok and isinstance(answer.body, list) else []
    return [(e["edition_id"], (e.get("name") or {}).get(lang) or (e.get("name") or {}).get("sv") or e["edition_id"])
            for e in sorted(editions, key=lambda e: e.get("starts_on", ""), reverse=True)]
