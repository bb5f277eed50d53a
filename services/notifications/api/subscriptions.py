"""Subscribing: double opt-in (a link by e-mail, a code by SMS), confirmation, one-click unsubscribe."""

import uuid
from html import escape

from aiolimiter import AsyncLimiter
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from services.notifications import render as r
from services.notifications.api.deps import ClockDep, OptOutsDep, SettingsDep, SubscriptionsDep, TriggersDep, VocabulariesDep
from services.notifications.api.forms import ConfirmIn, SubscriptionIn, body_of, form_page, page
from services.notifications.domain import subscriptions as subs
from services.notifications.domain import tokens
from shared.db.aggregates import change_one
from shared.decisions import Decision
from shared.http import checked, email_address, mobile_e164, problem
from shared.ratelimit import signup_limit

router = APIRouter(prefix="/v1")
signups = AsyncLimiter(20, 1)


@router.post("/subscriptions", status_code=202, dependencies=[signup_limit("subscriptions")], tags=["subscriptions"], summary="Subscribe (double opt-in follows) / Prenumerera")
async def subscribe(body: SubscriptionIn, s: SettingsDep, subscriptions: SubscriptionsDep, vocabularies: VocabulariesDep, triggers: TriggersDep,
                    clock: ClockDep) -> dict:
    if (body.email is None) == (body.phone is None):
        raise problem(422, "email", "one_of_email_or_phone", "Give either an email address or a mobile number")
    if body.language not in s.languages or body.language not in r.languages():
        raise problem(422, "language", "unknown_language", f"Languages: {', '.join(x for x in s.languages if x in r.languages())}")
    # the registry's vocabularies as notifications follows them: the one list of codes
    vocabularies = await vocabularies.fresh()
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
        now = clock()
        await change_one(subscriptions.store, sub_id, subs.new_subscription(state, s.consent_text_version, now))
        await triggers.schedule(
            cause=f"subscribe|{sub_id}", channel=channel, category="subscription_confirmation", language=body.language,
            kind="subscription", key=sub_id, context={"summary": "Öppna Malmö"},
        )
    return {"subscription_id": sub_id, "status": "pending", "channel": channel, "confirm_by": "link" if channel == "email" else "code"}

@router.get("/subscriptions/confirm", response_class=HTMLResponse, tags=["subscriptions"], summary="The page an email's confirmation link opens")
async def confirm_page(token: str = Query(max_length=500)) -> HTMLResponse:
    return HTMLResponse(form_page("Bekräfta prenumerationen / Confirm your subscription", "/v1/subscriptions/confirm", {"token": token}, "Bekräfta / Confirm"))

@router.post("/subscriptions/confirm", tags=["subscriptions"], summary="Confirm with the link's token or the SMS code")
async def confirm(request: Request, s: SettingsDep, subscriptions: SubscriptionsDep, clock: ClockDep):
    body = await body_of(request, ConfirmIn)
    if body.token:
        sub_id = tokens.verify(s.token_secret, "confirm", body.token)
        if sub_id is None:
            raise problem(400, "token", "invalid_token", "This link is not valid")
    elif body.subscription_id and body.code:
        sub_id = body.subscription_id
        sub = await subscriptions.get(sub_id)
        if sub is None:
            raise problem(404, "subscription_id", "not_found", "No such subscription")
        if sub.get("code_attempts", 0) >= subs.MAX_CODE_ATTEMPTS:
            raise problem(429, "code", "too_many_attempts", "Too many wrong codes: subscribe again")
        if not tokens.codes_match(s.token_secret, sub_id, body.code):
            await change_one(subscriptions.store, sub_id, subs.wrong_code(clock()))
            raise problem(400, "code", "wrong_code", "The code does not match")
    else:
        raise problem(422, "token", "missing", "Give the token, or the subscription_id and the code")
    sub = await subscriptions.get(sub_id)
    if sub is None:
        raise problem(404, "token", "not_found", "This subscription no longer exists")
    now = clock()
    first = subs.next_digest(now, sub.get("frequency", "daily"), s.digest_hour, s.digest_period_override_s)
    await change_one(subscriptions.store, sub_id, subs.confirm(now, first))
    sub = await subscriptions.get(sub_id)
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return HTMLResponse(page("Tack! / Thank you!", "Din prenumeration är bekräftad. / Your subscription is confirmed."))
    return {"subscription_id": sub_id, "status": sub["status"]}

@router.get("/unsubscribe/{token}", response_class=HTMLResponse, tags=["subscriptions"], summary="The unsubscribe link: one button")
async def unsubscribe_page(token: str, settings: SettingsDep) -> HTMLResponse:
    if tokens.verify(settings.token_secret, "unsubscribe", token) is None:
        raise problem(400, "token", "invalid_token", "This link is not valid")
    return HTMLResponse(form_page("Avsluta / Unsubscribe", f"/v1/unsubscribe/{escape(token)}", {"List-Unsubscribe": "One-Click"}, "Avsluta / Unsubscribe"))

@router.post("/unsubscribe/{token}", tags=["subscriptions"], summary="One-click unsubscribe (RFC 8058)")
async def unsubscribe(token: str, request: Request, settings: SettingsDep, subscriptions: SubscriptionsDep, opt_outs: OptOutsDep, clock: ClockDep):
    key = tokens.verify(settings.token_secret, "unsubscribe", token)
    if key is None:
        raise problem(400, "token", "invalid_token", "This link is not valid")
    now = clock()
    kind, _, ident = key.partition(":")
    if kind == "subscription":
        await change_one(subscriptions.store, ident, subs.unsubscribe(now))
    await change_one(opt_outs, key, lambda current, _v: None if current else Decision({"key": key, "at": now}))
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(page("Klart / Done", "Du får inga fler meddelanden. / You will receive no more messages."))
    return {"unsubscribed": True}
