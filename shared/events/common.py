"""Value types shared by several event contracts."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$"), Field(examples=["democracy"])]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$"), Field(examples=["sv"])]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Strict(BaseModel):
    """Inbound contracts: unknown fields are mistakes worth telling the publisher about."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _localized(max_length: int):
    Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)]

    class Localized(Strict):
        """Text keyed by language; Swedish is required, English expected, more welcome."""

        model_config = ConfigDict(frozen=True, extra="allow")
        sv: Text = Field(description="Swedish text (required).")
        en: Text | None = Field(default=None, description="English text.")

        @model_validator(mode="after")
        def _other_languages(self):
            extra = self.__pydantic_extra__ or {}
            if len(extra) > 10:
                raise ValueError("at most 12 languages")
            for lang, text in extra.items():
                if not (2 <= len(lang) <= 3 and lang.isascii() and lang.isalpha() and lang.islower()):
                    raise ValueError(f"'{lang}' is not a language code (ISO 639-1 or -3, lower case)")
                if not isinstance(text, str) or not 1 <= len(text.strip()) <= max_length:
                    raise ValueError(f"text in '{lang}' must be 1 to {max_length} characters")
            return self

    return Localized


class Title(_localized(200)):
    pass


class Summary(_localized(1000)):
    pass


class Description(_localized(10000)):
    pass


class Period(Strict):
    start: date = Field(description="First day, Europe/Stockholm.", examples=["2025-10-06"])
    end: date = Field(description="Last day, inclusive.", examples=["2025-10-19"])

    @model_validator(mode="after")
    def _ordered(self):
        if self.end < self.start:
            raise ValueError("end is before start")
        return self
