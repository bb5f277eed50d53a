"""Which languages reporting's pages (dashboard, follow-up) are offered in, and the reader's.

THE RULE (``shared/languages.py``): a platform language of the registry's languages vocabulary
that has a label file here (``labels/<lang>.json``). Without the vocabulary, Swedish alone.
"""

from shared.languages import SWEDISH, Language, chosen_language, platform_languages
from shared.vocabularies import VocabularyCopies
from services.reporting.domain.labels import WORDS


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
