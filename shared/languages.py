"""The platform's languages, as data: which languages a service offers its pages and messages in.

THE RULE: a language is offered when (1) the registry's ``languages`` vocabulary marks it
``platform: true`` and (2) the service has that language's translation files (``translated``:
the codes of its word files / templates). Adding a language is therefore data only — a curator
marks the term platform, translators add the files — and no service keeps a list of its own.

Swedish is the platform's base language: always offered, always first, and the language every
choice falls back to. An initiative's own texts fall back from the reader's language to Swedish,
then English, and ``in_language`` tells which language the text is in so the page can say so.

Pure functions over the service's ``VocabularyCopies``: no I/O here.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from shared.vocabularies import VocabularyCopies

BASE = "sv"
FALLBACK = ("sv", "en")  # after the reader's language, in this order


@dataclass(frozen=True)
class Language:
    code: str
    endonym: str  # its name in itself: what the language menu shows
    direction: str  # "ltr" | "rtl"


SWEDISH = Language(BASE, "Svenska", "ltr")


def _language(code: str, term: dict) -> Language:
    labels = term.get("labels") or {}
    name = term.get("endonym") or labels.get(code) or labels.get(BASE) or code
    return Language(code, name, "rtl" if term.get("direction") == "rtl" else "ltr")


def platform_languages(vocabularies: VocabularyCopies, translated: Iterable[str]) -> list[Language]:
    """The platform languages (the languages vocabulary's platform terms, by the copy the
    service keeps) that this service has translations for (``translated``: the codes of its
    translation files), Swedish first, then in the vocabulary's order; Swedish alone if the
    vocabulary is not known yet. A retired term is not offered."""
    return offered_languages(vocabularies.terms.get("languages") or {}, translated)


def offered_languages(terms: dict[str, dict], translated: Iterable[str]) -> list[Language]:
    """``platform_languages`` from the languages vocabulary's terms as read (``code → term``), for
    a service that reads the registry's vocabularies rather than keeping a copy (the console)."""
    have = set(translated)
    swedish = _language(BASE, terms[BASE]) if BASE in terms else SWEDISH
    others = [_language(code, term) for code, term in terms.items()
              if code != BASE and code in have and term.get("platform") and not term.get("retired")]
    return [swedish, *others]


def _accepted(accept_language: str | None) -> list[str]:
    """The tags of an ``Accept-Language`` header, best first (q-values; equal q keeps header order;
    q=0 means "not this one")."""
    ranked = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag.strip() and q > 0:
            ranked.append((-q, i, tag.strip().lower()))
    return [tag for _, _, tag in sorted(ranked)]


def chosen_language(asked: str | None, accept_language: str | None, offered: list[Language]) -> Language:
    """?lang= if offered, else the best Accept-Language match (q-values; a region tag such as
    ``ar-SE`` matches ``ar``), else Swedish (the first offered)."""
    by_code = {lang.code: lang for lang in offered}
    if asked and asked.lower() in by_code:
        return by_code[asked.lower()]
    for tag in _accepted(accept_language):
        for candidate in (tag, tag.split("-")[0]):
            if candidate in by_code:
                return by_code[candidate]
    return by_code.get(BASE) or (offered[0] if offered else SWEDISH)


def in_language(texts: dict[str, str] | None, lang: str) -> tuple[str | None, str | None]:
    """An initiative's text in the reader's language, else Swedish, else English: (text,
    the language it is in), so the page can say when it fell back. ``(None, None)`` when none
    of those has a text."""
    texts = texts or {}
    for code in (lang, *FALLBACK):
        if texts.get(code):
            return texts[code], code
    return None, None


def translation_codes(directory: Path, suffix: str = ".json") -> list[str]:
    """The language codes of a service's translation files in ``directory`` (``sv.json`` → ``sv``):
    what ``platform_languages`` takes as ``translated``."""
    return sorted(p.name[: -len(suffix)] for p in Path(directory).glob(f"*{suffix}") if not p.name.startswith("_"))
