"""The knowledge bank's search, pure: published outcome reports found by words and filters.

Words are matched by their stems (Snowball: Swedish for Swedish text, English for English), so
"demokratin" finds "demokrati" and "workshops" finds "workshop"; every word asked must be found
in the report (its title, what happened, what worked and did not, its materials, its partners)
in some language. Filters are equalities on codes: theme and organiser kind are the initiative's,
district and target group those the report says it reached, partner a partner's name or
registered source, edition the initiative's edition.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

STEMMERS = {"sv": "swedish", "en": "english"}
WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=8)
def _stemmer(lang: str):
    return snowballstemmer.stemmer(STEMMERS.get(lang, "swedish"))


def stems(text: str, lang: str) -> set[str]:
    """The stems of ``text``'s words (case and accents as written are folded to lower case)."""
    words = [w.casefold() for w in WORD.findall(unicodedata.normalize("NFKC", text))]
    return set(_stemmer(lang).stemWords(words))


@dataclass(frozen=True)
class Asked:
    """What a reader asks the bank for (empty: everything)."""

    q: str = ""
    theme: str = ""
    district: str = ""
    target_group: str = ""
    organizer_kind: str = ""
    partner: str = ""
    edition: str = ""


def texts_of(report: dict) -> dict[str, str]:
    """Every searchable text of a report, joined per language (``report``: a published report's entry)."""
    content = report.get("content") or {}
    by_lang: dict[str, list[str]] = {}
    for texts in (*(content.get(f) for f in ("what_happened", "worked", "did_not_work")), report.get("title")):
        for lang, text in (texts or {}).items():
            if text:  # a language the text is not in is null
                by_lang.setdefault(lang, []).append(text)
    shared = [m["title"] for m in content.get("materials", [])] + [p["name"] for p in content.get("partners", [])]
    for lang in by_lang or {"sv": []}:
        by_lang.setdefault(lang, []).extend(shared)
    return {lang: " ".join(parts) for lang, parts in by_lang.items()}


def index_of(report: dict) -> frozenset[str]:
    """The report's stems in every language it has (asked words are stemmed both ways)."""
    return frozenset(s for lang, text in texts_of(report).items() for s in stems(text, lang))


def matches(report: dict, stemmed: frozenset[str], asked: Asked) -> bool:
    """Whether an indexed report (``stemmed``: its ``index_of``) answers ``asked``."""
    content = report.get("content") or {}
    if asked.theme and asked.theme not in report.get("themes", []):
        return False
    if asked.organizer_kind and asked.organizer_kind != report.get("organizer_kind"):
        return False
    if asked.district and asked.district not in content.get("districts", []):
        return False
    if asked.target_group and asked.target_group not in content.get("target_groups", []):
        return False
    if asked.edition and asked.edition != report.get("edition_id"):
        return False
    if asked.partner:
        wanted = asked.partner.casefold()
        if not any(wanted in p["name"].casefold() or wanted == (p.get("source") or "").casefold() for p in content.get("partners", [])):
            return False
    for word in WORD.findall(asked.q):
        if not ({*stems(word, "sv"), *stems(word, "en")} & stemmed):
            return False
    return True
