"""HTTP edges: subscribe (double opt-in), confirm, one-click unsubscribe, erasure, preview, SMS receipts.

Public: subscribe, confirm, unsubscribe (rate-limited sign-up forms). Staff (curator): erasure by
address, and the template preview. The SMS gateway: its receipts webhook, with a shared secret.
"""

import hmac
import uuid
from html import escape
from typing import Annotated, Literal
from urllib.parse import parse_qs

from aiolimiter import AsyncLimiter
from fastapi import APIRouter, HTTPException, Query, Request, Security
from fastapi.security import APIKeyHeader
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from services.notifications import render as r
from services.notifications import subscriptions as subs
from services.notifications import tokens
from services.notifications.message_ids import derived_event_id
from services.notifications.parts import Parts
from services.notifications.privacy import erase
from services.notifications.recipients import resolve
from shared.db.aggregates import change_one
from shared.auth import KEY_OPTIONAL, Authenticator, Requires, Role
from shared.decisions import Decision
from shared.ratelimit import signup_limit
from shared.envelope import new_event
from shared.http import checked, email_address, mobile_e164, problem
from shared.events.notifications import Category, NotificationDeliveredV1, NotificationFailedV1
from shared.topics import NOTIFICATIONS_RECEIPTS


class InterestsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    themes: list[str] = Field(default_factory=list, max_length=20, examples=[["democracy"]])
    districts: list[str] = Field(default_factory=list, max_length=30, examples=[["rosengard"]])
    languages: list[str] = Field(default_factory=list, max_length=20, description="Languages of sessions.", examples=[["sv", "ar"]])


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str | None = Field(default=None, max_length=254, examples=["anna@example.org"])
    phone: str | None = Field(default=None, max_length=30, description="A mobile number; Swedish numbers may omit +46.", examples=["+46701234567"])
    language: str = Field(examples=["sv"])
    interests: InterestsIn = Field(default_factory=InterestsIn)
    frequency: Literal["daily", "weekly"] = "daily"
    consent: Literal[True] = Field(description="The subscriber agrees to the consent text of `consent_text_version`.")
    consent_text_version: str | None = Field(default=None, description="Defaults to the current version.")


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str | None = Field(default=None, description="From the email link.")
    subscription_id: str | None = Field(default=None, description="With the SMS code.")
    code: str | None = Field(default=None, pattern=r"^\s*[0-9]{6}\s*$")


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str | None = None
    phone: str | None = None
    token: str | None = Field(default=None, description="An unsubscribe token: erasure by the person, without a staff key.")


# The gateway's shared secret, declared as a security scheme of the receipts webhook (checked below).
WEBHOOK_SECRET = APIKeyHeader(name="X-Webhook-Secret", scheme_name="webhookSecret", auto_error=False,
                              description="The SMS gateway's shared secret (SMS_WEBHOOK_SECRET).")


def router(parts_ref: dict, authenticator: Authenticator) -> APIRouter:
    api = APIRouter(prefix="/v1")
    Curator = Requires(authenticator, Role.curator)
    signups = AsyncLimiter(20, 1)

    def P() -> Parts:
        return parts_ref["parts"]

    @api.post("/subscriptions", status_code=202, dependencies=[signup_limit("subscriptions")], tags=["subscriptions"], summary="Subscribe (double opt-in follows) / Prenumerera")
    async def subscribe(body: SubscriptionIn) -> dict:
        parts = P()
        s = parts.settings
        if (body.email is None) == (body.phone is None):
            raise problem(422, "email", "one_of_email_or_phone", "Give either an email address or a mobile number")
        if body.language not in s.languages or body.language not in r.languages():
            raise problem(422, "language", "unknown_language", f"Languages: {', '.join(x for x in s.languages if x in r.languages())}")
        # the registry's vocabularies as notifications follows them: the one list of codes
        vocabularies = await parts.vocabularies.fresh()
        for name in ("themes", "districts", "languages"):
            for _, code, reason in vocabularies.refused(name, getattr(body.interests, name))[:1]:
                why = "is retired from" if reason == "retired_code" else "is not in"
                raise problem(422, f"interests.{name}", reason, f"'{code}' {why} the vocabulary {name} (the registry's GET /v1/vocabularies/{name})")
        if body.consent_text_version not in (None, s.consent_text_version):
            raise problem(422, "consent_text_version", "outdated_consent", f"The current consent text is {s.consent_text_version}")
        async with signups:
            channel = "email" if body.email else "sms"
            sub_id = str(uuid.uuid4())
            state = {
                "subscription_id": sub_id, "channel": channel, "language": body.language,
                "interests": body.interests.model_dump(), "frequency": body.frequency,
                **({"email": checked("email", email_address, body.email)} if body.email else {"phone": checked("phone", mobile_e164, body.phone)}),
            }
            now = parts.now()
            await change_one(parts.subscriptions.store, sub_id, subs.new_subscription(state, s.consent_text_version, now))
            await parts_ref["triggers"].schedule(
                cause=f"subscribe|{sub_id}", channel=channel, category="subscription_confirmation", language=body.language,
                kind="subscription", key=sub_id, context={"summary": "Öppna Malmö"},
            )
        return {"subscription_id": sub_id, "status": "pending", "channel": channel, "confirm_by": "link" if channel == "email" else "code"}

    @api.get("/subscriptions/confirm", response_class=HTMLResponse, tags=["subscriptions"], summary="The page an email's confirmation link opens")
    async def confirm_page(token: str = Query(max_length=500)) -> HTMLResponse:
        return HTMLResponse(_form_page("Bekräfta prenumerationen / Confirm your subscription", "/v1/subscriptions/confirm", {"token": token}, "Bekräfta / Confirm"))

    @api.post("/subscriptions/confirm", tags=["subscriptions"], summary="Confirm with the link's token or the SMS code")
    async def confirm(request: Request):
        body = await _body(request, ConfirmIn)
        parts = P()
        s = parts.settings
        if body.token:
            sub_id = tokens.verify(s.token_secret, "confirm", body.token)
            if sub_id is None:
                raise problem(400, "token", "invalid_token", "This link is not valid")
        elif body.subscription_id and body.code:
            sub_id = body.subscription_id
            sub = await parts.subscriptions.get(sub_id)
            if sub is None:
                raise problem(404, "subscription_id", "not_found", "No such subscription")
            if sub.get("code_attempts", 0) >= subs.MAX_CODE_ATTEMPTS:
                raise problem(429, "code", "too_many_attempts", "Too many wrong codes: subscribe again")
            if not tokens.codes_match(s.token_secret, sub_id, body.code):
                await change_one(parts.subscriptions.store, sub_id, subs.wrong_code(parts.now()))
                raise problem(400, "code", "wrong_code", "The code does not match")
        else:
            raise problem(422, "token", "missing", "Give the token, or the subscription_id and the code")
        sub = await parts.subscriptions.get(sub_id)
        if sub is None:
            raise problem(404, "token", "not_found", "This subscription no longer exists")
        now = parts.now()
        first = subs.next_digest(now, sub.get("frequency", "daily"), s.digest_hour, s.digest_period_override_s)
        await change_one(parts.subscriptions.store, sub_id, subs.confirm(now, first))
        sub = await parts.subscriptions.get(sub_id)
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return HTMLResponse(_page("Tack! / Thank you!", "Din prenumeration är bekräftad. / Your subscription is confirmed."))
        return {"subscription_id": sub_id, "status": sub["status"]}

    @api.get("/unsubscribe/{token}", response_class=HTMLResponse, tags=["subscriptions"], summary="The unsubscribe link: one button")
    async def unsubscribe_page(token: str) -> HTMLResponse:
        if tokens.verify(P().settings.token_secret, "unsubscribe", token) is None:
            raise problem(400, "token", "invalid_token", "This link is not valid")
        return HTMLResponse(_form_page("Avsluta / Unsubscribe", f"/v1/unsubscribe/{escape(token)}", {"List-Unsubscribe": "One-Click"}, "Avsluta / Unsubscribe"))

    @api.post("/unsubscribe/{token}", tags=["subscriptions"], summary="One-click unsubscribe (RFC 8058)")
    async def unsubscribe(token: str, request: Request):
        parts = P()
        key = tokens.verify(parts.settings.token_secret, "unsubscribe", token)
        if key is None:
            raise problem(400, "token", "invalid_token", "This link is not valid")
        now = parts.now()
        kind, _, ident = key.partition(":")
        if kind == "subscription":
            await change_one(parts.subscriptions.store, ident, subs.unsubscribe(now))
        await change_one(parts.opt_outs, key, lambda current, _v: None if current else Decision({"key": key, "at": now}))
        if "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(_page("Klart / Done", "Du får inga fler meddelanden. / You will receive no more messages."))
        return {"unsubscribed": True}

    @api.post("/erasure", tags=["privacy"], summary="Erase a person's address or number and all that identifies them (staff, or with a token)", **KEY_OPTIONAL)
    async def erasure(request: Request) -> dict:
        body = await _body(request, ErasureIn)
        parts = P()
        if body.token:
            key = tokens.verify(parts.settings.token_secret, "unsubscribe", body.token)
            if key is None:
                raise problem(400, "token", "invalid_token", "Not a valid token")
            found = {}
            for channel, field in (("email", "email"), ("sms", "phone")):
                rec = await resolve(parts, {"kind": key.split(":", 1)[0], "key": key}, channel)
                if rec.address:
                    found[field] = rec.address
            return {"erased": await erase(parts, **found)}
        await require_curator(request)
        if not body.email and not body.phone:
            raise problem(422, "email", "missing", "Give the email address or the phone number to erase")
        email = checked("email", email_address, body.email) if body.email else None
        phone = checked("phone", mobile_e164, body.phone) if body.phone else None
        return {"erased": await erase(parts, email=email, phone=phone)}

    async def require_curator(request: Request) -> None:
        from shared.auth import require

        await require(authenticator, Role.curator)(request)

    @api.get("/preview/{category}/{language}", tags=["templates"], summary="Render any template in any language with sample data (staff)")
    async def preview(category: Category, language: str, _: Curator, part: Literal["html", "text", "sms", "json"] = "html"):
        if language not in r.languages():
            raise problem(404, "language", "unknown_language", f"Templates exist for: {', '.join(r.languages())}")
        out = r.render(category.value, language, r.sample_context(category.value, language))
        if part == "html":
            return HTMLResponse(out.html)
        if part == "text":
            return PlainTextResponse(out.text)
        if part == "sms":
            return PlainTextResponse(out.sms, headers={"X-Sms-Encoding": out.sms_length.encoding, "X-Sms-Segments": str(out.sms_length.segments)})
        return {"language": out.language, "subject": out.subject, "text": out.text, "html": out.html, "sms": out.sms,
                "sms_encoding": out.sms_length.encoding, "sms_segments": out.sms_length.segments}

    @api.post("/sms/receipts", status_code=202, tags=["gateways"], summary="The SMS gateway's delivery receipts (webhook)")
    async def sms_receipt(request: Request, x_webhook_secret: Annotated[str | None, Security(WEBHOOK_SECRET)] = None) -> dict:
        parts = P()
        if not x_webhook_secret or not hmac.compare_digest(x_webhook_secret, parts.settings.sms_webhook_secret):
            raise problem(401, "x-webhook-secret", "unauthenticated", "Wrong or missing webhook secret")
        body = await _body(request, GatewayReceipt)
        now = parts.now()
        if body.status == "delivered":
            data = NotificationDeliveredV1(message_id=body.client_ref, channel="sms", delivered_at=now)
        else:
            data = NotificationFailedV1(message_id=body.client_ref, channel="sms", failed_at=now, permanent=body.permanent, reason=(body.reason or "failed")[:1000])
        event = new_event(data, source=f"{parts.settings.event_source}:sms-gateway", subject=body.client_ref,
                          event_id=derived_event_id(body.client_ref, f"receipt:{body.status}:{body.id}"), time=now)
        await parts.producer.publish(NOTIFICATIONS_RECEIPTS, event, key=body.client_ref)
        return {"accepted": True}

    return api


class GatewayReceipt(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(max_length=200)
    client_ref: str = Field(max_length=200)
    status: Literal["delivered", "failed"]
    reason: str | None = Field(default=None, max_length=1000)
    permanent: bool = True


async def _body(request: Request, model: type[BaseModel]):
    """JSON, or an HTML form's urlencoded body (the confirmation and unsubscribe pages)."""
    from pydantic import ValidationError

    from shared.envelope import reasons_from

    raw = await request.body()
    try:
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            fields = {k: v[0] for k, v in parse_qs(raw.decode()).items() if k in model.model_fields}
            return model.model_validate(fields)
        return model.model_validate_json(raw or b"{}")
    except ValidationError as e:
        raise HTTPException(422, detail=[r.model_dump() for r in reasons_from(e)]) from None


def _page(title: str, text: str, inner: str = "") -> str:
    return f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{escape(title)}</title></head><body><h1>{escape(title)}</h1><p>{escape(text)}</p>{inner}</body></html>'


def _form_page(title: str, action: str, fields: dict[str, str], button: str) -> str:
    hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())
    return _page(title, "", f'<form method="post" action="{escape(action)}">{hidden}<button type="submit">{escape(button)}</button></form>')


__all__ = ["router"]
