"""What the public routes take: the request bodies (JSON, or an HTML form's fields)."""

from typing import Literal
from urllib.parse import parse_qs

from fastapi import FastAPI, HTTPException, Request
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.envelope import reasons_from
from shared.fields import Flag


class InterestsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    themes: list[str] = Field(default_factory=list, max_length=20, examples=[["democracy"]])
    districts: list[str] = Field(default_factory=list, max_length=30, examples=[["rosengard"]])
    languages: list[str] = Field(default_factory=list, max_length=20, description="Languages of sessions.", examples=[["sv", "ar"]])


def one_of(*alternatives: tuple[str, ...], exactly: bool = False) -> dict:
    """The schema's words for "these fields given (as text), or those": a body needs one alternative
    (``exactly``: one and no other)."""
    branches = [{"required": list(names), "properties": {n: {"type": "string", "pattern": r"\S"} for n in names}} for names in alternatives]
    return {"oneOf" if exactly else "anyOf": branches}


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=one_of(("email",), ("phone",), exactly=True))
    email: str | None = Field(default=None, max_length=254, examples=["anna@example.org"], json_schema_extra={"format": "email"})
    phone: str | None = Field(default=None, max_length=30, description="A mobile number; Swedish numbers may omit +46.", examples=["+46701234567"])
    language: str = Field(examples=["sv"])
    interests: InterestsIn = Field(default_factory=InterestsIn)
    frequency: Literal["daily", "weekly"] = "daily"
    consent: Literal[True] = Field(description="The subscriber agrees to the consent text of `consent_text_version`.")
    consent_text_version: str | None = Field(default=None, description="Defaults to the current version.")


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=one_of(("token",), ("subscription_id", "code")))
    token: str | None = Field(default=None, description="From the email link.")
    subscription_id: str | None = Field(default=None, description="With the SMS code.")
    code: str | None = Field(default=None, pattern=r"^\s*[0-9]{6}\s*$")


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=one_of(("email",), ("phone",), ("token",)))
    email: str | None = Field(default=None, json_schema_extra={"format": "email"})
    phone: str | None = None
    token: str | None = Field(default=None, description="An unsubscribe token: erasure by the person, without a staff key.")


# The gateway's shared secret, declared as a security scheme of the receipts webhook (checked below).
WEBHOOK_SECRET = APIKeyHeader(name="X-Webhook-Secret", scheme_name="webhookSecret", auto_error=False,
                              description="The SMS gateway's shared secret (SMS_WEBHOOK_SECRET).")


class GatewayReceipt(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(max_length=200)
    client_ref: str = Field(max_length=200)
    status: Literal["delivered", "failed"]
    reason: str | None = Field(default=None, max_length=1000)
    permanent: Flag = True


def json_body(model: type[BaseModel], description: str) -> dict:
    """``openapi_extra`` for a route that reads its body itself (``body_of``): the model's schema
    as its JSON body (an HTML form's fields are the same, for the pages). Required: every such
    model needs one field or another (an absent body reads as ``{}``, refused 422)."""
    schema = model.model_json_schema()
    return {"requestBody": {"required": True, "description": description, "content": {"application/json": {"schema": schema}}}}


def declare_languages(app: FastAPI, codes: tuple[str, ...]) -> None:
    """A subscription's ``language`` in the document lists the languages with templates: only
    those are offered (the platform's languages among them; any other is refused 422)."""
    generate = app.openapi

    def openapi() -> dict:
        schema = generate()
        subscription = schema.get("components", {}).get("schemas", {}).get("SubscriptionIn")
        if subscription is not None:
            subscription["properties"]["language"]["enum"] = list(codes)
        return schema

    app.openapi = openapi


async def body_of(request: Request, model: type[BaseModel]):
    """JSON, or an HTML form's urlencoded body (the confirmation and unsubscribe pages)."""
    raw = await request.body()
    try:
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            fields = {k: v[0] for k, v in parse_qs(raw.decode()).items() if k in model.model_fields}
            return model.model_validate(fields)
        return model.model_validate_json(raw or b"{}")
    except ValidationError as e:
        raise HTTPException(422, detail=[r.model_dump() for r in reasons_from(e)]) from None
