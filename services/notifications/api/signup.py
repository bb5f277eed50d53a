"""The sign-up form: ``GET /subscribe`` in the reader's language, ``POST /subscribe`` (an HTML
form) subscribes as ``POST /v1/subscriptions`` does and shows what comes next (look in your
email, or enter the SMS code). Every platform language with templates is offered for the
messages (by its endonym); interests show the vocabularies' labels in the reader's language.
"""

from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from services.notifications import render as r
from services.notifications.api.deps import ClockDep, SettingsDep, SubscriptionsDep, TriggersDep, VocabulariesDep
from services.notifications.api.forms import SubscriptionIn
from services.notifications.api.public_page import page, reader, refusal, words
from services.notifications.api.subscriptions import Lang, create_subscription
from shared.envelope import reasons_from
from shared.languages import Language, platform_languages
from shared.ratelimit import signup_limit
from shared.vocabularies import VocabularyCopies

router = APIRouter(tags=["subscriptions"], include_in_schema=False)  # pages for people; the API is /v1/subscriptions
GROUPS = (("themes", "themes"), ("districts", "districts"), ("languages", "session_languages"))


def _form(request: Request | None, lang: Language, languages: list[Language], vocabularies: VocabularyCopies, dirs: tuple[str, ...],
          values: dict, errors: dict, status: int = 200) -> HTMLResponse:
    L = words(lang.code)
    choices = [{"field": name, "legend": L[legend],
                "options": [{"code": code, "label": vocabularies.label(name, code, lang.code)}
                            for code, term in vocabularies.terms.get(name, {}).items() if not term.get("retired")]}
               for name, legend in GROUPS]
    message_languages = platform_languages(vocabularies, r.languages(dirs))
    return page(request, lang, languages, "subscribe_title", "subscribe_lead", status=status, form="subscribe", action=f"/subscribe?lang={lang.code}",
                values=values, errors=errors, choices=choices, message_languages=message_languages)


@router.get("/subscribe", response_class=HTMLResponse, summary="The sign-up form / Prenumerera")
async def signup_form(request: Request, s: SettingsDep, vocabularies: VocabulariesDep, lang: str | None = Lang) -> HTMLResponse:
    language, languages = await reader(request, vocabularies, lang)
    return _form(request, language, languages, vocabularies, tuple(s.template_dirs), {"language": language.code}, {})


def _values(raw: bytes) -> dict:
    fields = parse_qs(raw.decode(errors="replace"))
    one = {k: (fields.get(k) or [""])[0].strip() for k in ("email", "phone", "language", "frequency")}
    return {**one, **{name: fields.get(name, []) for name, _ in GROUPS}, "consent": "consent" in fields}


@router.post("/subscribe", response_class=HTMLResponse, dependencies=[signup_limit("subscriptions")], summary="Subscribe with the form / Prenumerera")
async def signup(request: Request, s: SettingsDep, subscriptions: SubscriptionsDep, vocabularies: VocabulariesDep, triggers: TriggersDep,
                 clock: ClockDep, lang: str | None = Lang) -> HTMLResponse:
    language, languages = await reader(request, vocabularies, lang)
    values = _values(await request.body())
    try:
        body = SubscriptionIn.model_validate({
            "email": values["email"] or None, "phone": values["phone"] or None, "language": values["language"] or language.code,
            "interests": {name: values[name] for name, _ in GROUPS}, "frequency": values["frequency"] or "daily", "consent": values["consent"] or None})
        made = await create_subscription(body, s, subscriptions, vocabularies, triggers, clock)
    except ValidationError as e:
        detail = [x.model_dump() for x in reasons_from(e)]
        return _form(None, language, languages, vocabularies, tuple(s.template_dirs), values, refusal(language, detail), 422)
    except HTTPException as e:
        return _form(None, language, languages, vocabularies, tuple(s.template_dirs), values, refusal(language, e.detail), e.status_code)
    if made["channel"] == "email":
        return page(None, language, languages, "check_email_title", "check_email_text", status=202)
    return page(None, language, languages, "check_sms_title", "check_sms_text", status=202, form="code",
                action=f"/v1/subscriptions/confirm?lang={language.code}", hidden={"subscription_id": made["subscription_id"]},
                button=words(language.code)["confirm_button"])
