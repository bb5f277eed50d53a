"""Scheduling's request-body fields on top of ``shared.fields`` (input taken exactly as the schema says).

- ``integer(ge, le)``: a JSON integer within bounds, the bounds in the schema as minimum and maximum
  (also inside an optional);
- ``Moment``: a date-time as text with its offset (a time without one is refused, 422 ``timezone_aware``).
"""

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from shared.fields import Instant, Whole


def integer(ge: int, le: int) -> Any:
    """An integer from ``ge`` to ``le``: the bounds go on ``int`` before ``Whole``'s check wraps it,
    else the schema shows them as ``ge``/``le`` rather than ``minimum``/``maximum``."""
    return Annotated[int, Field(ge=ge, le=le), *Whole.__metadata__]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise PydanticCustomError("timezone_aware", "A time with its offset, e.g. 2025-10-07T18:00:00+02:00")
    return value


Moment = Annotated[Instant, AfterValidator(_aware)]
