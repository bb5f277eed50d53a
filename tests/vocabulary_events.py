"""The registry's vocabulary events, published by a test where the registry itself does not run."""

from services.registry.domain.vocabularies import SEED
from shared.envelope import new_event
from shared.events.vocabularies import VocabularyChangedV1

REGISTRY_SOURCE = "urn:malmo:oppna:registry"


def vocabulary_event(name: str, version: int = 1, extra: dict[str, dict] | None = None):
    """``name``'s seeded terms (and ``extra`` terms: code → {labels, retired}) as the registry tells them."""
    data = VocabularyChangedV1(vocabulary=name, version=version, terms={**SEED[name], **(extra or {})})
    return new_event(data, source=REGISTRY_SOURCE, subject=name)


async def publish_vocabularies(kafka, extra: dict[str, dict[str, dict]] | None = None, version: int = 1) -> None:
    """Every seeded vocabulary on ``registry.vocabularies.v1`` (keyed by its name), as a fresh registry publishes them."""
    for name in SEED:
        event = vocabulary_event(name, version, (extra or {}).get(name))
        await kafka.send("registry.vocabularies.v1", event.to_bytes(), key=name)
