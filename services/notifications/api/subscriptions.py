"""Subscribing: double opt-in (a link by e-mail, a code by SMS), confirmation, one-click unsubscribe.

The JSON API and the pages the links open (confirm, unsubscribe: in the reader's language, see
``api/public_page.py``) share one logic each: ``create_subscription``, ``confirm_subscription``.
"""

import uuid
from urllib.parse import quote

from aiolimiter import AsyncLimiter
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from services.notifications import render as r
from services.notifications.api.deps import ClockDep, OptOutsDep, SettingsDep, SubscriptionsDep, TriggersDep, VocabulariesDep
from services.notifications.api.forms import ConfirmIn, SubscriptionIn, body_of, json_body
from services.notifications.api.public_page import page, reader, refusal, words
from services.notifications.domain import subscriptions as subs
from services.notifications.domain import tokens
from shared.db.aggregates import change_one
from shared.decisions import Decision
from shared.http import checked, email_address, mobile_e164, problem
from shared.openapi import problems
from shared.languages import platform_languages
from shared.ratelimit import signup_limit

router = APIRouter(prefix="/v1")
signups = AsyncLimiter(20, 1)
Lang = Query(default=None, max_length=12, description="The page's language (else Accept-Language, else Swedish).")


async def create_subscription(body: SubscriptionIn, s, subscriptions, vocabularies, triggers, clock) -> dict:
    """A pending subscription and its confirmation message; a refusal raises naming the field: 422
    for what the body alone shows, 409 for a code the vocabularies do not hold (now) or a consent
    text that is no longer the current one."""
    if (body.email is None) == (body.phone is None):
        raise problem(422, "email", "one_of_email_or_phone", "Give either an email address or a mobile number")
    # the registry's vocabularies as notifications follows them: the one list of codes, and of the platform's languages
    vocabularies = await vocabularies.fresh()
    offered = [x.code for x in platform_languages(vocabularies, r.languages(tuple(s.template_dirs)))]
    if body.language not in offered:
        raise problem(422, "language", "unknown_language", f"Languages: {', '.join(offered)}")
    for name in ("themes", "districts", "languages"):
        for _, code, reason in vocabularies.refused(name, getattr(body.interests, name))[:1]:
            why = "is retired from" if reason == "retired_code" else "is not in"
            raise problem(409, f"interests.{name}", reason, f"'{code}' {why} the vocabulary {name} (the registry's GET /v1/vocabularies/{name})")
    if body.consent_text_version not in (None, s.consent_text_version):
        raise problem(409, "consent_text_version", "outdated_consent", f"The current consent text is {s.consent_text_version}")
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


@router.post("/subscriptions", status_code=202, dependencies=[signup_limit("subscriptions")], tags=["subscriptions"], summary="Subscribe (double opt-in follows) / Prenumerera",
             responses=problems(**{"409": "An interest's code is not (or no longer) in its vocabulary, or the consent text is not the current one"}))
async def subscribe(body: SubscriptionIn, s: SettingsDep, subscriptions: SubscriptionsDep, vocabularies: VocabulariesDep, triggers: TriggersDep,
                    clock: ClockDep) -> dict:
    return await create_subscription(body, s, subscriptions, vocabularies, triggers, clock)


@router.get("/subscriptions/confirm", response_class=HTMLResponse, tags=["subscriptions"], summary="The page an email's confirmation link opens")
async def confirm_page(request: Request, vocabularies: VocabulariesDep, token: str = Query(max_length=500), lang: str | None = Lang) -> HTMLResponse:
    language, languages = await reader(request, vocabularies, lang)
    return page(request, language, languages, "confirm_title", "confirm_text", form="button", action=f"/v1/subscriptions/confirm?lang={language.code}",
                hidden={"token": token}, button=words(language.code)["confirm_button"])


async def confirm_subscription(body: ConfirmIn, s, subscriptions, clock) -> dict:
    """Confirm by the link's token or the SMS code; a refusal raises naming the field: 404 (a link
    that is not valid, no such subscription), 409 (a wrong code), 422 (neither given), 429."""
    if body.token:
        sub_id = tokens.verify(s.token_secret, "confirm", body.token)
        if sub_id is None:
            raise problem(404, "token", "invalid_token", "This link is not valid")
    elif body.subscription_id and body.code:
        sub_id = body.subscription_id
        sub = await subscriptions.get(sub_id)
        if sub is None:
            raise problem(404, "subscription_id", "not_found", "No such subscription")
        if sub.get("code_attempts", 0) >= subs.MAX_CODE_ATTEMPTS:
            raise problem(429, "code", "too_many_attempts", "Too many wrong codes: subscribe again")
        if not tokens.codes_match(s.token_secret, sub_id, body.code):
            await change_one(subscriptions.store, sub_id, subs.wrong_code(clock()))
            raise problem(409, "code", "wrong_code", "The code does not match")
    else:
        raise problem(422, "token", "missing", "Give the token, or the subscription_id and the code")
    sub = await subscriptions.get(sub_id)
    if sub is None:
        raise problem(404, "token", "not_found", "This subscription no longer exists")
    now = clock()
    first = subs.next_digest(now, sub.get("frequency", "daily"), s.digest_hour, s.digest_period_override_s)
    await change_one(subscriptions.store, sub_id, subs.confirm(now, first))
    sub = await subscriptions.get(sub_id)
    return {"subscription_id": sub_id, "status": sub["status"]}


def _is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")


@router.post("/subscriptions/confirm", tags=["subscriptions"], summary="Confirm with the link's token or the SMS code",
             responses=problems(404, 429, **{"409": "The code does not match"}),
             openapi_extra=json_body(ConfirmIn, "The email link's token, or the subscription_id and the SMS code (the page's form posts the same fields)"))
async def confirm(request: Request, s: SettingsDep, subscriptions: SubscriptionsDep, vocabularies: VocabulariesDep, clock: ClockDep,
                  lang: str | None = Lang):
    body = await body_of(request, ConfirmIn)
    if not _is_form(request):
        return await confirm_subscription(body, s, subscriptions, clock)
    language, languages = await reader(request, vocabularies, lang)
    try:
        await confirm_subscription(body, s, subscriptions, clock)
    except HTTPException as e:  # the page again, the reason beside the code (or on the page for a link)
        if body.token or e.status_code == 429:
            return page(None, language, languages, "error_title", status=e.status_code, errors=refusal(language, e.detail))
        return page(None, language, languages, "check_sms_title", "check_sms_text", status=e.status_code, form="code", errors=refusal(language, e.detail),
                    action=f"/v1/subscriptions/confirm?lang={language.code}", hidden={"subscription_id": body.subscription_id},
                    button=words(language.code)["confirm_button"])
    return page(None, language, languages, "confirmed_title", "confirmed_text")


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, tags=["subscriptions"], summary="The unsubscribe link: one button",
            responses={404: {"description": "Not a valid link: a page saying so", "content": {"text/html": {"schema": {"type": "string"}}}}})
async def unsubscribe_page(token: str, request: Request, settings: SettingsDep, vocabularies: VocabulariesDep, lang: str | None = Lang) -> HTMLResponse:
    language, languages = await reader(request, vocabularies, lang)
    if tokens.verify(settings.token_secret, "unsubscribe", token) is None:
        return page(request, language, languages, "error_title", status=404, errors={"form": words(language.code)["errors"]["invalid_token"]})
    return page(request, language, languages, "unsubscribe_title", "unsubscribe_text", form="button",
                action=f"/v1/unsubscribe/{quote(token, safe='')}?lang={language.code}", hidden={"List-Unsubscribe": "One-Click"},
                button=words(language.code)["unsubscribe_button"])


@router.post("/unsubscribe/{token}", tags=["subscriptions"], summary="One-click unsubscribe (RFC 8058)", responses=problems(**{"404": "Not a valid link"}))
async def unsubscribe(token: str, request: Request, settings: SettingsDep, subscriptions: SubscriptionsDep, opt_outs: OptOutsDep,
                      vocabularies: VocabulariesDep, clock: ClockDep, lang: str | None = Lang):
    key = tokens.verify(settings.token_secret, "unsubscribe", token)
    if key is None:
        raise problem(404, "token", "invalid_token", "This link is not valid")
    now = clock()
    kind, _, ident = key.partition(":")
    if kind == "subscription":
        await change_one(subscriptions.store, ident, subs.unsubscribe(now))
    await change_one(opt_outs, key, lambda current, _v: None if current else Decision({"key": key, "at": now}))
    if "text/html" in request.headers.get("accept", ""):
        language, languages = await reader(request, vocabularies, lang)
        return page(None, language, languages, "unsubscribed_title", "unsubscribed_text")
    return {"unsubscribed": True}
