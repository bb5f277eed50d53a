"""Subscribers: double opt-in, interests, consents with what was agreed to and when, digests.

One document per subscription (through the keyed writer). State: ``{subscription_id, channel,
email | phone, language, interests, frequency, status: pending | confirmed | unsubscribed,
consents: [{text_version, purposes, given_at, confirmed_at, withdrawn_at}], code_attempts,
last_digest_at, next_digest_at}``. Decisions are pure and take ``now``.
"""

from datetime import datetime, time, timedelta
from typing import TypedDict

from services.notifications.domain.quiet_hours import STOCKHOLM
from shared.decisions import Decision


class Consent(TypedDict):
    text_version: str
    purposes: list[str]
    given_at: datetime
    confirmed_at: datetime | None
    withdrawn_at: datetime | None


class SubscriptionState(TypedDict, total=False):
    subscription_id: str
    channel: str  # email | sms
    email: str
    phone: str
    language: str
    interests: dict[str, list[str]]  # themes, districts, languages
    frequency: str  # daily | weekly
    status: str  # pending | confirmed | unsubscribed
    consents: list[Consent]
    code_attempts: int
    created_at: datetime
    confirmed_at: datetime
    unsubscribed_at: datetime
    last_digest_at: datetime
    next_digest_at: datetime | None

MAX_CODE_ATTEMPTS = 5
PURPOSES = ["digest_of_new_sessions"]


def next_digest(after: datetime, frequency: str, hour: int, override_s: float | None) -> datetime:
    if override_s is not None:
        return after + timedelta(seconds=override_s)
    local = after.astimezone(STOCKHOLM)
    at = datetime.combine(local.date(), time(hour), tzinfo=STOCKHOLM)
    if at <= local:
        at += timedelta(days=1)
    if frequency == "weekly":
        at += timedelta(days=6)
    return at.astimezone(after.tzinfo)


def new_subscription(sub: dict, consent_version: str, now: datetime):
    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is not None:
            return None
        return Decision({
            **sub,
            "status": "pending",
            "created_at": now,
            "code_attempts": 0,
            "consents": [{"text_version": consent_version, "purposes": PURPOSES, "given_at": now, "confirmed_at": None, "withdrawn_at": None}],
        })

    return decide


def confirm(now: datetime, first_digest_at: datetime):
    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] != "pending":
            return None
        consents = [{**c, "confirmed_at": c["confirmed_at"] or now} for c in current["consents"]]
        return Decision({**current, "status": "confirmed", "confirmed_at": now, "consents": consents, "last_digest_at": now, "next_digest_at": first_digest_at})

    return decide


def wrong_code(now: datetime):
    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None:
            return None
        return Decision({**current, "code_attempts": current.get("code_attempts", 0) + 1, "updated_at": now})

    return decide


def unsubscribe(now: datetime):
    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] == "unsubscribed":
            return None
        consents = [{**c, "withdrawn_at": c["withdrawn_at"] or now} for c in current["consents"]]
        return Decision({**current, "status": "unsubscribed", "unsubscribed_at": now, "consents": consents, "next_digest_at": None})

    return decide


def digest_done(period_due: datetime, now: datetime, next_at: datetime):
    def decide(current: dict | None, _v: int) -> Decision | None:
        if current is None or current["status"] != "confirmed" or current.get("next_digest_at") != period_due:
            return None
        return Decision({**current, "last_digest_at": now, "next_digest_at": next_at})

    return decide
