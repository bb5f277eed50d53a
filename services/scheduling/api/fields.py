"""Request-body field types that accept exactly what their JSON Schema says.

Pydantic's lax mode turns ``"5"`` into 5, ``0`` into 1970-01-01T00:00:00Z and ``"yes"`` into true,
which the OpenAPI document (``integer``, ``string``/``date-time``, ``boolean``) forbids; a client
generated from the document must not find the service more lenient than it says. These types
refuse such input with 422 naming the field (code ``wrong_type``), and keep what the schema
allows: an integral JSON number (``3.0``) for an integer, an ISO 8601 text for a date or time.
"""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, Field, Strict
from pydantic_core import PydanticCustomError


def _no_text_or_bool(value: Any) -> Any:
    if isinstance(value, (str, bool)):
        raise PydanticCustomError("wrong_type", "A number is expected")
    return value


def _text_only(value: Any) -> Any:
    if not isinstance(value, (str, date, datetime)):
        raise PydanticCustomError("wrong_type", "An ISO 8601 text is expected")
    return value


def integer(ge: int, le: int) -> Any:
    """An integer from ``ge`` to ``le`` (the bounds in the schema as minimum and maximum)."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_no_text_or_bool)]


Moment = Annotated[AwareDatetime, BeforeValidator(_text_only)]
Day = Annotated[date, BeforeValidator(_text_only)]
Flag = Annotated[bool, Strict()]
