"""Input types that take exactly what their OpenAPI schema says, where pydantic's lax mode takes more.

Lax pydantic reads ``0`` or ``"0"`` as a date or a date-time (a Unix time), ``"5"`` as an integer and
``"yes"`` as a boolean, while the document says ``format: date``, ``integer``, ``boolean``: a client
sending such a value is refused by the schema it was given, so the service refuses it too (422 naming
the field). Values the code builds itself (a ``date`` object) pass unchanged.

- ``Day``: a date as text ``YYYY-MM-DD`` (a query parameter or a body field);
- ``Instant``: a date-time as text, ``YYYY-MM-DDTHH:MM[:SS[.f]]`` with an optional offset;
- ``Whole``: an integer in a JSON body (``5`` or ``5.0``, as JSON Schema counts integers; not ``"5"``
  nor ``true``); ``Flag``: a boolean in a JSON body (a query parameter is text: use ``int``, ``bool``).
"""

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, Strict
from pydantic_core import PydanticCustomError

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?")


def _day(value: Any) -> Any:
    if isinstance(value, date) or (isinstance(value, str) and _DAY.fullmatch(value)):
        return value
    raise PydanticCustomError("date_type", "A date as text: YYYY-MM-DD")


def _instant(value: Any) -> Any:
    if isinstance(value, datetime) or (isinstance(value, str) and _INSTANT.fullmatch(value)):
        return value
    raise PydanticCustomError("datetime_type", "A date and time as text: YYYY-MM-DDTHH:MM:SS with its offset")


def _whole(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) or isinstance(value, float) and value.is_integer():
        return value
    raise PydanticCustomError("int_type", "A whole number")


Day = Annotated[date, BeforeValidator(_day)]
Instant = Annotated[datetime, BeforeValidator(_instant)]
Whole = Annotated[int, BeforeValidator(_whole)]


def whole(ge: int | None = None, le: int | None = None) -> Any:
    """``Whole`` within bounds, where the bounds must sit inside the type (an optional field:
    ``whole(ge=1) | None``; bounds on the field itself would be lost from its schema)."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_whole)]
Flag = Annotated[bool, Strict()]
