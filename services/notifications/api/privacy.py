"""Erasure of a person's address or number (staff, or the person with an unsubscribe token)."""

from fastapi import APIRouter, Request

from services.notifications.api.deps import ErasureDep, RecipientsDep, SettingsDep
from services.notifications.api.forms import ErasureIn, body_of, json_body
from services.notifications.domain import tokens
from shared.auth import KEY_OPTIONAL, Role, require
from shared.http import checked, email_address, mobile_e164, problem
from shared.openapi import problems

router = APIRouter(prefix="/v1")


@router.post("/erasure", tags=["privacy"], summary="Erase a person's address or number and all that identifies them (staff, or with a token)",
             responses=problems(403, **{"404": "The token is not a valid unsubscribe token"}),
             dependencies=KEY_OPTIONAL["dependencies"],
             openapi_extra={**KEY_OPTIONAL["openapi_extra"],
                            **json_body(ErasureIn, "An email address or a phone number (a curator's key), or an unsubscribe token (no key)")})
async def erasure(request: Request, settings: SettingsDep, recipients: RecipientsDep, erasure: ErasureDep) -> dict:
    body = await body_of(request, ErasureIn)
    if body.token:
        key = tokens.verify(settings.token_secret, "unsubscribe", body.token)
        if key is None:
            raise problem(404, "token", "invalid_token", "Not a valid token")
        found = {}
        for channel, field in (("email", "email"), ("sms", "phone")):
            rec = await recipients.resolve({"kind": key.split(":", 1)[0], "key": key}, channel)
            if rec.address:
                found[field] = rec.address
        return {"erased": await erasure.erase(**found)}
    await require(request.app.state.auth, Role.curator)(request)
    if not body.email and not body.phone:
        raise problem(422, "email", "missing", "Give the email address or the phone number to erase")
    email = checked("email", email_address, body.email) if body.email else None
    phone = checked("phone", mobile_e164, body.phone) if body.phone else None
    return {"erased": await erasure.erase(email=email, phone=phone)}
