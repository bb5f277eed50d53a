"""Scheduling's request-body fields on top of ``shared.fields`` (input taken exactly as the schema says).

- ``Moment``: a date-time as text with its offset (a time without one is refused, 422 ``timezone_aware``).
"""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from shared.fields import Instant


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise PydanticCustomError("timezone_aware", "A time with its offset, e.g. 2025-10-07T18:00:00+02:00")
    return value


Moment = Annotated[Instant, AfterValidator(_aware)]
