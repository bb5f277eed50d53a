"""Digests: new published sessions matching a subscriber's interests, one message per period."""

import structlog

from services.notifications.digest import Interests, select
from services.notifications.parts import Parts
from services.notifications.subscriptions import digest_done, next_digest

log = structlog.get_logger(__name__)


async def fire_digests(parts: Parts, schedule) -> int:
    """``schedule``: Triggers.schedule. A crash between the message and the subscription's update
    repeats nothing: the message id follows from the subscription and the period."""
    s, now, count = parts.settings, parts.now(), 0
    for sub in await parts.subscriptions.due_for_digest(now):
        chosen = select(await parts.copies.published_since(sub["last_digest_at"]), Interests.of(sub.get("interests") or {}))
        period = sub["next_digest_at"]
        if chosen:
            await schedule(
                cause=f"digest|{sub['subscription_id']}|{period.isoformat()}", channel=sub["channel"], category="digest", language=sub["language"],
                kind="subscription", key=sub["subscription_id"], context={"session_ids": [x["session_id"] for x in chosen]},
            )
            count += 1
        following = next_digest(now, sub.get("frequency", "daily"), s.digest_hour, s.digest_period_override_s)
        await change_one(parts.subscriptions.store, sub["subscription_id"], digest_done(period, now, following))
    return count
