"""Residents' registrations: no account, a private link to see, cancel or erase. Public routes.

Rate limiting of the public form is another issue (not done here).
"""

from datetime import UTC, datetime

from typing import Annotated

from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.refusals import Refused
from services.scheduling.api.deps import ErasureDep, RegistrationsDep, Staff
from shared.fields import whole
from shared.http import EmailAddress, MobileNumber
from shared.openapi import problems
from shared.ratelimit import signup_limit
from shared.events.common import LanguageCode, ShortText


def one_of_email_or_phone() -> dict:
    """The schema's words for "an email address or a mobile number (not blank)"."""
    given = {"type": "string", "pattern": r"\S"}
    return {"anyOf": [{"required": [name], "properties": {name: given}} for name in ("email", "phone")]}


def _blank_is_none(cls, v):
    return None if isinstance(v, str) and not v.strip() else v


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=one_of_email_or_phone())
    name: ShortText = Field(examples=["Amina Hassan"])
    email: EmailAddress | None = Field(default=None, examples=["amina@example.org"])
    phone: MobileNumber | None = Field(default=None, examples=["070-123 45 67"], description="Mobile; Swedish by default, normalised to E.164.")
    language: LanguageCode = Field(default="sv", description="Messages in this language.")
    party_size: whole(1, 50) = Field(default=1, description="Seats for you and those you bring.")

    _blank = field_validator("email", "phone", mode="before")(_blank_is_none)

    def contact(self) -> dict:
        if not self.email and not self.phone:
            raise Refused(422, "email", "missing_contact", "Give an email address or a mobile number")
        return {"name": self.name, "email": self.email, "phone": self.phone}


class RegistrationForm(RegistrationIn):
    """The public page's form (``api.pages``): every field arrives as text, the party's size too."""

    party_size: int = Field(default=1, ge=1, le=50)


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=one_of_email_or_phone())
    email: EmailAddress | None = None
    phone: MobileNumber | None = None

    _blank = field_validator("email", "phone", mode="before")(_blank_is_none)


IDEMPOTENCY_KEY_PATTERN = r"^[\x20-\x7E]{1,128}$"
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY_PATTERN,
        min_length=1,
        max_length=128,
        description=(
            "Optional; 1–128 printable ASCII characters, best a random UUID per registration. A repeat with the same key and "
            "the same body answers the same registration (200, the same private link) and never takes a second seat, also "
            "after a lost answer or a restart; the same key with another body is refused (422, `key_reused`). / "
            "Valfri nyckel: ett upprepat anrop med samma nyckel och samma uppgifter ger samma anmälan, aldrig en till plats."
        ),
        examples=["5b0e0c0e-8a55-4d4e-9a51-2f1f3c0a9b77"],
    ),
]


router = APIRouter(prefix="/v1", tags=["registrations"])


@router.post(
    "/sessions/{session_id}/registrations",
    status_code=201,
    dependencies=[signup_limit("registrations")],
    summary="Register for a session (no account): confirmed or waitlisted",
    responses={200: {"description": "A repeat under the same Idempotency-Key: the registration it took before"},
               **problems(404, **{"409": "The session takes no registrations (not open, none needed, or started)",
                                  "503": "Busy: try again after Retry-After seconds (with the same Idempotency-Key)"})},
)
async def register(session_id: str, body: RegistrationIn, response: Response, registrations: RegistrationsDep, idempotency_key: IdempotencyKey = None) -> dict:
    out, created = await registrations.register(session_id, body.contact(), body.party_size, body.language, datetime.now(UTC), idempotency_key)
    response.headers["cache-control"] = "no-store"
    if not created:
        response.status_code = 200
    return out


@router.get("/registrations/{token}", summary="A registration, by its private link", responses=problems(404))
async def get(token: str, response: Response, registrations: RegistrationsDep) -> dict:
    response.headers["cache-control"] = "no-store"
    return await registrations.view(token)


@router.delete("/registrations/{token}", summary="Cancel a registration by its private link (a waitlisted one moves up)",
               responses=problems(404))
async def cancel(token: str, registrations: RegistrationsDep) -> dict:
    return await registrations.cancel(token, datetime.now(UTC))


@router.post("/registrations/{token}/erase", summary="Erase my contact details (GDPR art. 17); the registration stays, anonymous",
             responses=problems(404))
async def erase(token: str, erasure: ErasureDep) -> dict:
    return {"erased": await erasure.erase_by_token(token)}


@router.post("/contacts/erase", summary="Staff: erase every contact with this email or phone")
async def erase_by_contact(body: ErasureIn, _: Staff, erasure: ErasureDep) -> dict:
    if not body.email and not body.phone:
        raise Refused(422, "email", "missing_contact", "Give the email address or the phone number to erase")
    ids = await erasure.erase_by_contact(body.email, body.phone)
    return {"erased": len(ids), "registration_ids": ids}
