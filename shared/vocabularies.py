"""Following the registry's vocabularies: every service that needs codes or labels keeps this copy.

The registry owns the vocabularies (themes, target groups, districts, languages, accessibility)
and tells each one's full current state on the compacted ``registry.vocabularies.v1``
(``VocabularyChangedV1``, keyed by the vocabulary's name). A follower stores the newest version
of each (one document per vocabulary in its own database, through the keyed store, so a restart
knows them before the topic is read again) and answers from memory: which codes exist, which
are retired, and a term's label in a language. No service keeps a second list.

Until the first events arrive, a follower knows no terms: a check refuses every code, and a
label is the code made readable. Several processes of one service share the stored copy, but
each event reaches only one of them (one consumer group), so the others read the stored copy
again every ``REFRESH_S`` seconds when asked.
"""

import time
from collections.abc import Callable

from shared.db.aggregates import AggregateStore
from shared.db.copies import keep_newest
from shared.envelope import Envelope
from shared.events.vocabularies import VOCABULARY_EVENTS, VOCABULARY_NAMES, VocabularyChangedV1
from shared.kafka.subscriptions import Subscription, follow
from shared.topics import REGISTRY_VOCABULARIES, Topic

COLLECTION = "vocabularies"
REFRESH_S = 5.0


def readable(code: str) -> str:
    """A code no vocabulary has (yet): shown as words rather than as a code."""
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]


class VocabularyCopies:
    """The service's copy of every vocabulary: ``terms[name][code] = {"labels": {lang: text}, "retired": bool}``."""

    def __init__(self, store: AggregateStore, refresh_s: float = REFRESH_S):
        self._store = store
        self._refresh_s = refresh_s
        self._read_at = float("-inf")
        self.terms: dict[str, dict[str, dict]] = {name: {} for name in VOCABULARY_NAMES}
        self.versions: dict[str, int] = {}
        self.changes = 0  # moves with every newer vocabulary taken in: what rendered copies are keyed by
        self._on_change: list[Callable[[], None]] = []

    def when_changed(self, callback: Callable[[], None]) -> None:
        self._on_change.append(callback)

    def _take(self, name: str, version: int, terms: dict[str, dict]) -> None:
        if version <= self.versions.get(name, 0):
            return
        self.versions[name] = version
        self.terms[name] = terms
        self.changes += 1
        for callback in self._on_change:
            callback()

    async def load(self) -> None:
        """Read the stored copy (at start-up, and every ``REFRESH_S`` through ``fresh``)."""
        # the whole collection: five small documents (and FerretDB scans for ``$in`` anyway)
        async for doc in self._store.find({}, {"state": 1}):
            state = doc["state"]
            self._take(doc["_id"], state["version"], state["terms"])
        self._read_at = time.monotonic()

    async def fresh(self) -> "VocabularyCopies":
        """This copy, read again from the database if it was read more than ``REFRESH_S`` ago
        (another process of the service may have taken a newer event)."""
        if time.monotonic() - self._read_at > self._refresh_s:
            await self.load()
        return self

    async def apply(self, event: Envelope, data: VocabularyChangedV1) -> None:
        """Keep the newest version of the vocabulary (a repeat or an older one changes nothing)."""
        terms = {code: term.model_dump() for code, term in data.terms.items()}
        await keep_newest(self._store, data.vocabulary, data.version, {"vocabulary": data.vocabulary, "terms": terms})
        self._take(data.vocabulary, data.version, terms)

    def label(self, name: str, code: str, lang: str) -> str:
        """The term's label in ``lang``, else in Swedish, else the code made readable."""
        term = self.terms.get(name, {}).get(code)
        labels = term["labels"] if term else {}
        return labels.get(lang) or labels.get("sv") or readable(code)

    def labels(self, name: str, codes, lang: str) -> list[dict[str, str]]:
        """``[{code, label}]`` of ``codes``, in their order."""
        return [{"code": c, "label": self.label(name, c, lang)} for c in codes]

    def refused(self, name: str, codes) -> list[tuple[int, str, str]]:
        """``(index, code, reason)`` of each code the vocabulary ``name`` does not offer:
        ``unknown_code`` (not in it) or ``retired_code`` (retired by the curators)."""
        terms = self.terms.get(name, {})
        out = []
        for i, code in enumerate(codes):
            term = terms.get(code)
            if term is None:
                out.append((i, code, "unknown_code"))
            elif term.get("retired"):
                out.append((i, code, "retired_code"))
        return out


def vocabulary_subscription(copies: VocabularyCopies, dead_letter: Topic) -> Subscription:
    """The consumer of ``registry.vocabularies.v1``. The copy keeps the newest version, so a repeat
    changes nothing: no processed-events look-up."""
    return follow("vocabularies", REGISTRY_VOCABULARIES, VOCABULARY_EVENTS, copies.apply, dead_letter, dedup="none")
