"""The registry's vocabularies as a test publishes them for scheduling's pages in every platform
language: Swedish, English and Arabic marked platform (endonym, direction), and the Arabic labels
a curator would give the terms the tests use."""

import contextlib
import copy
import json
import re
from collections.abc import AsyncIterator, Callable
from html.parser import HTMLParser

from services.registry.domain.vocabularies import SEED
from services.scheduling.adapters.texts import HERE
from services.scheduling.main import create_app
from services.scheduling.settings import SchedulingSettings
from tests.platform import Platform, eventually
from tests.vocabulary_events import publish_vocabularies

PLATFORM = {"sv": ("Svenska", "ltr"), "en": ("English", "ltr"), "ar": ("العربية", "rtl")}
ARABIC = {
    "themes": {"democracy": "الديمقراطية", "human_rights": "حقوق الإنسان", "inclusion": "الإدماج"},
    "target_groups": {"youth": "الشباب"},
    "districts": {"rosengard": "روزنغورد"},
    "languages": {"sv": "السويدية", "en": "الإنجليزية", "ar": "العربية"},
    "accessibility": {"wheelchair_access": "متاح للكراسي المتحركة", "hearing_loop": "حلقة سمعية"},
}


def platform_terms(platform: dict[str, tuple[str, str]] = PLATFORM, extra: dict | None = None) -> dict[str, dict[str, dict]]:
    """``extra`` terms by vocabulary, with the platform languages marked and the Arabic labels added."""
    out: dict[str, dict[str, dict]] = {name: dict((extra or {}).get(name, {})) for name in SEED}
    for name, labels in ARABIC.items():
        for code, label in labels.items():
            term = copy.deepcopy(out[name].get(code) or SEED[name][code])
            term["labels"] = {**term["labels"], "ar": label}
            out[name][code] = term
    for code, (endonym, direction) in platform.items():
        term = copy.deepcopy(out["languages"].get(code) or SEED["languages"].get(code) or {"labels": {"sv": code, "en": code}, "retired": False})
        out["languages"][code] = {**term, "endonym": endonym, "direction": direction, "platform": True}
    return out


async def publish_platform_vocabularies(kafka, platform: dict[str, tuple[str, str]] = PLATFORM, extra: dict | None = None,
                                        version: int = 1) -> None:
    await publish_vocabularies(kafka, platform_terms(platform, extra), version=version)


async def offered_in(http, lang: str, path: str = "/programme") -> None:
    """Waits until scheduling's page is offered in ``lang`` (its copy of the vocabularies has it)."""

    async def shown() -> bool | None:
        return f'<html lang="{lang}"' in (await http.get(path, params={"lang": lang})).text or None

    await eventually(shown, what=f"the page in {lang}")


@contextlib.asynccontextmanager
async def scheduling_in_languages(infra, run_id: str, app: Callable = create_app) -> AsyncIterator[Platform]:
    """Scheduling alone on the real broker and database, the platform languages published and followed."""
    async with Platform.start(infra, run_id, scheduling=(app, SchedulingSettings)) as p:
        await publish_platform_vocabularies(p.kafka)
        await offered_in(p.http["scheduling"], "ar")
        yield p


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def visible_text(html: str) -> str:
    """What a reader sees (no attribute values, e.g. an option's code)."""
    p = _Text()
    p.feed(html)
    return " ".join(" ".join(p.parts).split())


def codes_shown(text: str, terms: dict[str, dict[str, dict]]) -> list[str]:
    """Vocabulary codes of ``terms`` (longer than two letters: "en" is a Swedish word), word-file keys
    and "None" in ``text``, once every label is taken out ("Motverka antisemitism" is the label of
    ``antisemitism``)."""
    labels = sorted({label for vocabulary in terms.values() for term in vocabulary.values() for label in term["labels"].values()},
                    key=len, reverse=True)
    for label in labels:
        text = text.replace(label, " ")
    words = set(re.findall(r"[\w-]+", text))
    codes = {c for vocabulary in terms.values() for c in vocabulary if len(c) > 2}
    keys = {k for k in json.loads((HERE / "sv.json").read_text(encoding="utf-8")) if "_" in k}
    return sorted((codes | keys | {"None"}) & words)
