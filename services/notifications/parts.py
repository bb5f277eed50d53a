"""What the use cases share, built once in the composition root (main.py) and handed down."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.notifications.adapters.messages import Messages
from services.notifications.copies import Copies
from services.notifications.notices import Notices
from services.notifications.organizers import OrganizerContacts
from services.notifications.settings import NotificationsSettings
from services.notifications.subscriptions import Subscriptions
from services.notifications.withdrawals import Withdrawals
from shared.db.aggregates import AggregateStore
from shared.kafka.producer import EventProducer
from shared.vocabularies import VocabularyCopies


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Parts:
    settings: NotificationsSettings
    messages: Messages
    copies: Copies
    subscriptions: Subscriptions
    notices: Notices
    organizers: OrganizerContacts
    opt_outs: AggregateStore
    producer: EventProducer
    clock: Callable[[], datetime] = field(default=utcnow)
    vocabularies: VocabularyCopies | None = None  # the registry's, followed: what subscriptions' interests may name
    withdrawals: Withdrawals = field(default_factory=Withdrawals)  # registrations cancelled while a fan-out runs

    def now(self) -> datetime:
        # Millisecond precision: what MongoDB keeps, so values read back compare equal.
        n = self.clock()
        return n.replace(microsecond=n.microsecond // 1000 * 1000)
