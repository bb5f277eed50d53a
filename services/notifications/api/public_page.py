"""The public pages of subscribing (sign-up, confirm, unsubscribe): in every platform language.

A language is offered when the registry's languages vocabulary marks it ``platform`` and its
words exist (``templates/pages/subscription/<lang>.json``: adding one is a file, no code). The
reader's language is ``?lang=``, else the best ``Accept-Language``, else Swedish; each page has
``<html lang dir>`` and a language menu of endonyms.
"""

import json
from functools import cache

from fastapi import Request
from fastapi.responses import HTMLResponse

from services.notifications import render as r
from shared.languages import Language, chosen_language, platform_languages, translation_codes
from shared.vocabularies import VocabularyCopies

PAGE = "subscription"
WORDS = r.TEMPLATES / "pages" / PAGE


@cache
def words(lang: str) -> dict:
    return json.loads((WORDS / f"{lang}.json").read_text(encoding="utf-8"))


def offered(vocabularies: VocabularyCopies) -> list[Language]:
    return platform_languages(vocabularies, translation_codes(WORDS))


async def reader(request: Request, vocabularies: VocabularyCopies, asked: str | None) -> tuple[Language, list[Language]]:
    """The reader's language and the languages offered."""
    languages = offered(await vocabularies.fresh())
    return chosen_language(asked, request.headers.get("accept-language"), languages), languages


def page(request: Request | None, lang: Language, languages: list[Language], heading: str, text: str | None = None, status: int = 200,
         **ctx) -> HTMLResponse:
    """A page in ``lang``: ``heading``/``text`` are keys of its words. ``request``: the page a GET
    opened, whose language menu links to itself in each language (none after a POST)."""
    L = words(lang.code)
    menu = [{"code": x.code, "endonym": x.endonym, "direction": x.direction, "url": f"{request.url.path}?{request.url.include_query_params(lang=x.code).query}"}
            for x in languages] if request is not None else []
    full = {"errors": {}, "values": {}, "form": None, "hidden": {}, "button": None, "choices": [], "message_languages": [], **ctx}
    html = r.page_template(PAGE).render(lang=lang.code, dir=lang.direction, L=L, menu=menu, heading=L[heading], text=L[text] if text else None, **full)
    return HTMLResponse(html, status)


def refusal(lang: Language, detail) -> dict[str, str]:
    """A service refusal's reasons (``[{field, code, …}]``) as words beside the page's fields."""
    errors = words(lang.code)["errors"]
    out: dict[str, str] = {}
    for reason in detail if isinstance(detail, list) else []:
        field = str(reason.get("field") or "form").removeprefix("interests.")
        out.setdefault(field, errors.get(reason.get("code") or "") or errors.get(field) or errors["invalid"])
    return out or {"form": errors["invalid"]}
