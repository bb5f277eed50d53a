"""Which languages reporting's pages (dashboard, follow-up) are offered in, and the reader's.

THE RULE (``shared/languages.py``): a platform language of the registry's languages vocabulary
that has a label file here (``labels/<lang>.json``). Without the vocabulary, Swedish alone.
"""

from shared.languages import SWEDISH, Language, chosen_language, platform_languages
from shared.vocabularies import VocabularyCopies
from services.reporting.domain.labels import WORDS
from services.reporting.domain.model import ReadModel


def offered(vocabularies: VocabularyCopies | None) -> list[Language]:
    return platform_languages(vocabularies, WORDS) if vocabularies is not None else [SWEDISH]


def chosen(asked: str | None, accept_language: str | None, vocabularies: VocabularyCopies | None) -> str:
    """?lang= if offered, else the best Accept-Language match, else Swedish."""
    return chosen_language(asked, accept_language, offered(vocabularies)).code


def page_language(lang: str, vocabularies: VocabularyCopies | None) -> tuple[Language, list[Language]]:
    """``lang`` as a Language (its direction from the vocabulary) and the language menu."""
    languages = offered(vocabularies)
    here = next((x for x in languages if x.code == lang), None) or Language(lang, lang, "ltr")
    return here, languages if here in languages else [*languages, here]


def page_context(model: ReadModel, edition_id: str | None, lang: str, threshold: int, t: dict,
                 vocabularies: VocabularyCopies | None) -> tuple[str | None, dict]:
    """What the dashboard and the follow-up page both start from: the edition shown (the one asked,
    else the newest) and the context every such page has (language, menu, editions, suppression)."""
    editions = sorted(model.editions.values(), key=lambda e: (e["year"], e["edition_id"]))
    if edition_id is None and editions:
        edition_id = editions[-1]["edition_id"]
    here, languages = page_language(lang, vocabularies)
    return edition_id, {"lang": lang, "dir": here.direction, "languages": languages, "t": t, "editions": editions, "edition_id": edition_id,
                        "suppression": t["suppression"].format(t=threshold)}
