"""What every public page of scheduling shares: the language it is shown in, its words and its menu.

THE RULE (``shared/languages.py``): a page is offered in a language the registry's ``languages``
vocabulary marks ``platform`` and for which ``texts/<code>.json`` exists; the page's language is
``?lang=`` if offered, else the best ``Accept-Language`` match, else Swedish. Every page carries
``<html lang dir>`` and a menu of the offered languages by their endonyms (docs/scheduling.md,
"Every resident's language"). A word a template asks for that the language's file lacks raises
(``adapters/texts.MissingText``): a fault, never a key shown to a reader.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.scheduling.adapters.texts import PageTexts, Words
from services.scheduling.api.deps import TextsDep, VocabulariesDep
from services.scheduling.domain.texts import listed, number
from shared.languages import Language, chosen_language, platform_languages
from shared.vocabularies import VocabularyCopies

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "templates"), autoescape=select_autoescape(["html"]))


@dataclass(frozen=True)
class Page:
    """One request's page language (``language``), the languages offered, and its words (``t``)."""

    language: Language
    offered: tuple[Language, ...]
    texts: PageTexts
    copies: VocabularyCopies
    path: str
    query: tuple[tuple[str, str], ...]

    @property
    def lang(self) -> str:
        return self.language.code

    @property
    def dir(self) -> str:
        return self.language.direction

    @property
    def t(self) -> Words:
        return self.texts.of(self.lang)

    def label(self, vocabulary: str, code: str) -> str:
        """A code's label in the page's language, else Swedish (never the code: ``VocabularyCopies.label``)."""
        return self.copies.label(vocabulary, code, self.lang)

    def labeller(self) -> Callable[[str, str, str], str]:
        return lambda vocabulary, code, _lang: self.label(vocabulary, code)

    def number(self, n: int | float) -> str:
        return number(n, self.lang)

    def switched(self, code: str | None) -> "Page":
        """The same page in ``code`` if it is offered (a registration's language), else unchanged."""
        for language in self.offered:
            if language.code == code:
                return replace(self, language=language)
        return self

    def menu(self, path: str | None = None) -> list[dict]:
        """The language menu: each offered language's link to this page (``path``, this one's by
        default) in it, the filters kept."""
        kept = [(k, v) for k, v in self.query if k != "lang"]
        return [{"code": lg.code, "endonym": lg.endonym, "dir": lg.direction, "current": lg.code == self.lang,
                 "href": f"{path or self.path}?{urlencode([*kept, ('lang', lg.code)])}"} for lg in self.offered]


async def page(request: Request, texts: TextsDep, vocabularies: VocabulariesDep, lang: str | None = None) -> Page:
    copies = await vocabularies.fresh()
    offered = platform_languages(copies, texts.codes)
    chosen = chosen_language(lang, request.headers.get("accept-language"), offered)
    return Page(chosen, tuple(offered), texts, copies, request.url.path, tuple(request.query_params.multi_items()))


PageDep = Annotated[Page, Depends(page)]


def render(p: Page, name: str, status: int = 200, menu_path: str | None = None, **context) -> HTMLResponse:
    """``name`` rendered in the page's language; ``menu_path``: where the menu's links go when this
    answer is not a GET page (a form's answer)."""
    html = TEMPLATES.get_template(name).render(lang=p.lang, dir=p.dir, t=p.t, menu=p.menu(menu_path), n=p.number,
                                              listed=lambda items: listed(items, p.lang), **context)
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"} if name == "registration.html" else None)
