"""Vocabulary contracts: the registry tells each vocabulary's full current state.

``registry.vocabularies.v1`` is compacted and keyed by the vocabulary's name, so the newest event
of each name is all a follower needs: a service that starts from the beginning reads five
events and knows every term (retired ones too) with its labels. Codes are what initiatives,
sessions and subscriptions carry; labels are what a person reads.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.envelope import EventData

VOCABULARY_NAMES = ("themes", "target_groups", "districts", "languages", "accessibility")
VocabularyName = Literal["themes", "target_groups", "districts", "languages", "accessibility"]
LabelText = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class VocabularyTerm(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    labels: dict[str, LabelText] = Field(description="By language; 'sv' always present, 'en' expected.", examples=[{"sv": "Demokrati", "en": "Democracy"}])
    retired: bool = Field(default=False, description="Refused on new initiatives; stays valid where it is already used.")
    # The languages vocabulary only: what the platform needs to offer a language to people.
    endonym: LabelText | None = Field(default=None, description="languages: the language's name in itself (the language menu).",
                                      examples=["العربية"])
    direction: Literal["ltr", "rtl"] | None = Field(default=None, description="languages: its writing direction (none: ltr).")
    platform: bool | None = Field(default=None, description=(
        "languages: a platform language — pages and messages are offered in it wherever the service has its translations "
        "(adding one is data: this flag and the translation files, no code); none: not one."))


class VocabularyChangedV1(EventData):
    """One vocabulary as it stands after a curator's change (or as first seeded): every term, retired ones too."""

    event_type = "se.malmo.oppna.vocabulary.changed.v1"
    vocabulary: VocabularyName
    version: int = Field(ge=1, description="Grows with every change of this vocabulary: a follower keeps the newest.")
    terms: dict[str, VocabularyTerm] = Field(description="Code → term.")


VOCABULARY_EVENTS: tuple[type[VocabularyChangedV1], ...] = (VocabularyChangedV1,)
