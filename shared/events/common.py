"""Value types shared by several event contracts."""

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$"), Field(examples=["democracy"])]
LANGUAGE_PATTERN = r"^[a-z]{2,3}$"
LanguageCode = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN), Field(examples=["sv"])]
# What pydantic strips from a text (Unicode White_Space; Python's str.strip() strips U+001C–U+001F
# too, so texts are not checked with it): a text must hold something else, and its schema says so.
BLANK = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
# White space by any regex dialect's \s (Python's also U+001C–U+001F, JavaScript's also U+FEFF), for a
# pattern that must mean the same to pydantic, to the document's readers and to their validators.
SPACES = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NOT_BLANK)]


class Strict(BaseModel):
    """Inbound contracts: unknown fields are mistakes worth telling the publisher about."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _localized(max_length: int):
    Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length, pattern=NOT_BLANK)]
    # The JSON Schema says what _other_languages checks: other languages' codes and texts, 12 at most.
    other = {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": NOT_BLANK}
    schema = {"propertyNames": {"pattern": LANGUAGE_PATTERN}, "additionalProperties": other, "maxProperties": 12}

    class Localized(Strict):
        """Text keyed by language; Swedish is required, English expected, more welcome (12 at most)."""

        model_config = ConfigDict(frozen=True, extra="allow", json_schema_extra=schema)
        sv: Text = Field(description="Swedish text (required).")
        en: Text | None = Field(default=None, description="English text.")

        @model_validator(mode="after")
        def _other_languages(self):
            extra = self.__pydantic_extra__ or {}
            if len(self.model_fields_set) > 12:  # the languages given, extra ones included
                raise ValueError("at most 12 languages")
            for lang, text in extra.items():
                if not re.fullmatch(LANGUAGE_PATTERN, lang):
                    raise ValueError(f"'{lang}' is not a language code (ISO 639-1 or -3, lower case)")
                if not isinstance(text, str) or not 1 <= len(text.strip(BLANK)) <= max_length:
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
