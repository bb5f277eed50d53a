"""Labels of areas, dimensions, measures, reporting's own categories and its pages' words, by
language: data files, one per language (``services/reporting/labels/<lang>.json``, every key of
``sv.json``). A language with a file is offered on the pages when the registry's languages
vocabulary marks it ``platform`` (``shared/languages.py``): adding one is a file, no code.

Vocabulary categories (themes, districts, target groups, languages) are not labelled here: the
registry owns them and reporting follows its vocabulary events (``shared/vocabularies.py``), so
a term the curators add or relabel is named as the registry names it (``VOCABULARY_OF``: the
vocabulary of each such dimension; ``exports.category_label``). A category no one labels is
shown by its code, made readable.
"""

import json
from pathlib import Path

FILES = Path(__file__).resolve().parents[1] / "labels"
# The figures API's and exports' languages (JSON-stat carries both): the pages offer every platform language.
LANGS = ("sv", "en")


def _load() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(FILES.glob("*.json"))}


WORDS = _load()  # language → its file


def _by_key(section: str) -> dict[str, dict[str, str]]:
    """``{key: {lang: text}}`` of one section of the files."""
    out: dict[str, dict[str, str]] = {}
    for lang, words in WORDS.items():
        for key, text in words[section].items():
            out.setdefault(key, {})[lang] = text
    return out


AREAS = _by_key("areas")
DIMENSIONS = _by_key("dimensions")
MEASURES = _by_key("measures")
CATEGORIES = _by_key("categories")

# Dimensions whose categories are codes of one of the registry's vocabularies.
VOCABULARY_OF = {"theme": "themes", "district": "districts", "target_group": "target_groups", "language": "languages"}


def page_words(page: str, lang: str) -> dict:
    """A page's words (``dashboard``, ``follow_up``) in ``lang`` (Swedish where it has no file)."""
    words = WORDS.get(lang) or WORDS["sv"]
    return {**words[page], "language_menu": words["language_menu"]}


def label(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    entry = table.get(key)
    if entry:
        return entry.get(lang) or entry["sv"]
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]
