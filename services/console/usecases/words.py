"""What a person reads instead of codes: a field's name and a value's words, in the page's language.

The registry's vocabularies (themes, districts, target groups, accessibility, languages) give each
code its labels (``GET /v1/vocabularies``, read at most once a minute by ``Vocabularies``); the
console's labels (``labels/<lang>.json``) name the fields and the fixed codes (organiser kind,
origin). A code nobody has words for is shown as it is, so nothing is hidden.
"""

import asyncio
import re
import time
from collections.abc import Callable

from services.console.adapters.registry import Registry
from services.console.adapters.services import ServiceAway

# content field → the registry vocabulary its codes come from
VOCABULARY_OF = {"themes": "themes", "districts": "districts", "target_groups": "target_groups", "accessibility": "accessibility",
                 "languages": "languages"}
FIXED = {"organizer.kind": "kind_", "origin": "origin_"}  # codes named by the console's own labels
INDEX = re.compile(r"\[\d+\]")


class Words:
    """Names and words for one page: ``field(path)`` and ``value(path, code)``. Pure."""

    def __init__(self, labels: dict[str, str], vocabularies: dict[str, dict], lang: str):
        self._t, self._vocabularies, self._lang = labels, vocabularies, lang

    def _term(self, vocabulary: str, code: str) -> str | None:
        labels = ((self._vocabularies.get(vocabulary) or {}).get(code) or {}).get("labels") or {}
        return labels.get(self._lang) or labels.get("sv")

    def field(self, path: str) -> str:
        """``title.sv`` → "Title (Swedish)", ``budget.requested_sek`` → "Budget requested (SEK)"."""
        base, _, last = INDEX.sub("", path).rpartition(".")
        language = self._term("languages", last) if base else None
        if language is not None:
            return f"{self.field(base)} ({language})"
        return self._t.get("field_" + INDEX.sub("", path).replace(".", "_"), path)

    def value(self, path: str, code: str) -> str:
        """A value as words: a vocabulary's label or a fixed code's, else the value itself."""
        if path in FIXED:
            return self._t.get(FIXED[path] + code, code)
        vocabulary = VOCABULARY_OF.get(INDEX.sub("", path))
        return (self._term(vocabulary, code) if vocabulary else None) or code


class Vocabularies:
    """The registry's vocabularies, read again when older than ``max_age_s``; while the registry
    does not answer, the last ones read (or none: codes are shown)."""

    def __init__(self, registry: Registry, max_age_s: float = 60, clock: Callable[[], float] = time.monotonic):
        self._registry, self._max_age_s, self._clock = registry, max_age_s, clock
        self._read: dict[str, dict] = {}
        self._at: float | None = None
        self._reading: asyncio.Task | None = None

    async def current(self) -> dict[str, dict]:
        if self._at is None or self._clock() - self._at > self._max_age_s:
            try:
                answer = await self._registry.vocabularies()
                if answer.ok and isinstance(answer.body, dict):
                    self._read = answer.body
            except ServiceAway:
                pass  # the pages that need the registry say so; these only lose their words
            self._at = self._clock()
        return self._read

    def known(self) -> dict[str, dict]:
        """The vocabularies as last read, at once (for what is drawn on every page: the language
        menu); when they are older than ``max_age_s`` they are read again beside the page, for the
        next one."""
        stale = self._at is None or self._clock() - self._at > self._max_age_s
        if stale and (self._reading is None or self._reading.done()):
            self._reading = asyncio.get_running_loop().create_task(self.current())
        return self._read
