"""Digests: new published sessions matching a subscriber's interests, one message per period."""

from collections.abc import Awaitable, Callable

import structlog

from services.notifications.adapters.copies import Copies
from services.notifications.adapters.subscriptions import Subscriptions
from services.notifications.domain.digest import Interests, select
from services.notifications.domain.subscriptions import digest_done, next_digest
from services.notifications.settings import NotificationsSettings
from services.notifications.usecases.clock import Clock
from shared.db.aggregates import change_one

log = structlog.get_logger(__name__)


class Digests:
    def __init__(self, settings: NotificationsSettings, subscriptions: Subscriptions, copies: Copies, now: Clock,
                 schedule: Callable[..., Awaitable[str]]):
        self.settings, self.subscriptions, self.copies, self.now, self.schedule = settings, subscriptions, copies, now, schedule

    async def fire(self) -> int:
        """``schedule``: Triggers.schedule. A crash between the message and the subscription's update
        repeats nothing: the message id follows from the subscription and the period."""
        s, now, count = self.settings, self.now(), 0
        for sub in await self.subscriptions.due_for_digest(now):
            chosen = select(await self.copies.published_since(sub["last_digest_at"]), Interests.of(sub.get("interests") or {}))
            period = sub["next_digest_at"]
            if chosen:
                await self.schedule(
                    cause=f"digest|{sub['subscription_id']}|{period.isoformat()}", channel=sub["channel"], category="digest", language=sub["language"],
                    kind="subscription", key=sub["subscription_id"], context={"session_ids": [x["session_id"] for x in chosen]},
                )
                count += 1
            following = next_digest(now, sub.get("frequency", "daily"), s.digest_hour, s.digest_period_override_s)
            await change_one(self.subscriptions.store, sub["subscription_id"], digest_done(period, now, following))
        return count
