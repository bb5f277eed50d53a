"""The public pages' words, as data: one JSON file per language (``texts/<code>.json``), read at start.

The repository's folder (``services/scheduling/texts``) comes first; ``SCHEDULING_TEXTS_DIRS``
names more folders (``os.pathsep``-separated) whose files add languages or replace one whole, so
translators add a language without touching the code. A file that lacks a key the Swedish file
has, or has an empty one, is not loaded (logged): a missing translation never reaches a page. The
codes loaded are what ``shared.languages.platform_languages`` takes as ``translated``
(docs/scheduling.md, "Every resident's language").
"""

import json
import os
from collections.abc import Iterable
from pathlib import Path

import structlog

from shared.languages import BASE

HERE = Path(__file__).resolve().parent.parent / "texts"
log = structlog.get_logger(__name__)


class MissingText(Exception):
    """A template asked for a word the language's file does not have: a fault, never shown.
    (Not a ``LookupError``: Jinja would turn that into an empty string.)"""


class Words(dict):
    """One language's words; a key it lacks raises ``MissingText`` instead of rendering as nothing."""

    def __missing__(self, key: str):
        raise MissingText(key)


def folders(extra: str) -> list[Path]:
    """The repository's folder, then each of ``extra`` (``os.pathsep``-separated)."""
    return [HERE, *(Path(p) for p in extra.split(os.pathsep) if p.strip())]


def incomplete(words: dict, swedish: dict) -> list[str]:
    """The Swedish keys ``words`` lacks or leaves empty."""
    return sorted(k for k in swedish if not isinstance(words.get(k), str) or not words[k].strip())


def load(dirs: Iterable[Path]) -> dict[str, Words]:
    """Every complete language file of ``dirs`` (a later folder's file replaces an earlier one)."""
    found: dict[str, dict] = {}
    for folder in dirs:
        for path in sorted(Path(folder).glob("*.json")):
            found[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    swedish = found[BASE]
    kept = {}
    for code, words in found.items():
        lacking = incomplete(words, swedish)
        if lacking:
            log.warning("texts_incomplete", language=code, missing=lacking[:10], missing_count=len(lacking))
            continue
        kept[code] = Words(words)
    return kept


class PageTexts:
    """The words of every language the pages have (complete files only)."""

    def __init__(self, dirs: Iterable[Path]):
        self.words = load(dirs)

    @property
    def codes(self) -> list[str]:
        return sorted(self.words)

    def of(self, code: str) -> Words:
        return self.words.get(code) or self.words[BASE]
