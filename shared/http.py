"""What every service's HTTP edge answers alike: a refusal's body, and the residents' phone and email rules.

A refusal is ``{"detail": [{"field", "code", "message"}]}`` with a 4xx: the field as a dotted
path, a stable machine-readable code, and words (the same shape as a dead letter's reasons).

Residents give a mobile number or an email address in scheduling (registrations) and in
notifications (subscriptions, erasure); both take them by the rules here, so the same input is
refused with the same field, code and message, and a good one is stored in the same form:

- a phone number: Swedish unless it says otherwise (``070-123 45 67``), a valid mobile number,
  as E.164 (``+46701234567``); refused as ``invalid_phone`` or ``not_mobile``;
- an email address: its syntax checked (no DNS look-up), the whole of it in lower case — a person
  types their address in other cases at other times, and an erasure request must find every copy
  of it (mailbox providers do not tell ``Anna@`` from ``anna@``); refused as ``invalid_email``.
"""

from collections.abc import Callable
from typing import Annotated

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from shared.refusals import Refused

MOBILE = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def reason(field: str, code: str, message: str) -> dict[str, str]:
    """One reason of a refusal."""
    return {"field": field, "code": code, "message": message}


def problem(status: int, field: str, code: str, message: str) -> HTTPException:
    """A refusal with one reason, to raise from a route (FastAPI answers ``{"detail": [reason]}``)."""
    return HTTPException(status, detail=[reason(field, code, message)])


def problem_response(status: int, reasons: list[dict]) -> JSONResponse:
    """A refusal with every reason, for an exception handler or a route that returns its answer."""
    return JSONResponse(status_code=status, content={"detail": reasons})


def mobile_e164(raw: str) -> str:
    """A mobile number (Swedish by default) in E.164, or a PydanticCustomError naming why not."""
    try:
        number = phonenumbers.parse(raw, "SE")
    except phonenumbers.NumberParseException:
        raise PydanticCustomError("invalid_phone", "Not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise PydanticCustomError("invalid_phone", "Not a valid phone number")
    if phonenumbers.number_type(number) not in MOBILE:
        raise PydanticCustomError("not_mobile", "Not a mobile number (text messages go to it)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_address(raw: str) -> str:
    """An email address, all of it in lower case, or a PydanticCustomError."""
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError as e:
        raise PydanticCustomError("invalid_email", str(e)) from None


def checked(field: str, rule: Callable[[str], str], value: str) -> str:
    """``rule(value)`` where a route checks a field itself (after its other checks): a refusal is
    the 422 a request model would give, naming ``field``."""
    try:
        return rule(value)
    except PydanticCustomError as e:
        raise problem(422, field, e.type, e.message()) from None


# Request-model fields checked by the rules above (422 naming the field, by shared/web.py's handler).
MobileNumber = Annotated[str, Field(max_length=30), AfterValidator(mobile_e164)]
EmailAddress = Annotated[str, Field(json_schema_extra={"format": "email"}), AfterValidator(email_address)]


async def refused_response(request: Request, exc: Refused) -> JSONResponse:
    """A decision's refusal as every refusal reads: ``{"detail": [{field, code, message}]}``, its status."""
    return problem_response(exc.status, exc.detail())
