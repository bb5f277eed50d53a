"""Notifications' contracts: rendered messages for gateways, their receipts, and delivery counts.

``notifications.email.v1`` and ``notifications.sms.v1`` carry fully rendered messages
(personal data: an address or a number) for external gateway consumers, which deduplicate on
``message_id``. Gateways answer on ``notifications.receipts.v1``. ``notifications.deliveries.v1``
carries counts by channel, language and category only: reporting reads it, never the messages.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from shared.envelope import EventData


# Outbound state: EventData already ignores unknown fields, so additive changes stay compatible.
Tolerant = EventData


class Category(StrEnum):
    organizer_decision = "organizer_decision"
    subscription_confirmation = "subscription_confirmation"
    digest = "digest"
    registration_confirmed = "registration_confirmed"
    registration_waitlisted = "registration_waitlisted"
    registration_promoted = "registration_promoted"
    reminder = "reminder"
    session_changed = "session_changed"
    session_cancelled = "session_cancelled"
    feedback_request = "feedback_request"
    report_reminder = "report_reminder"


class EmailRequestedV1(Tolerant):
    event_type = "se.malmo.oppna.notification.email.requested.v1"
    message_id: str = Field(description="Derived from cause, recipient and template: gateways deduplicate on it.")
    recipient: str = Field(description="Email address.")
    language: str
    category: Category
    subject: str
    text: str = Field(description="Plain-text body.")
    html: str = Field(description="HTML body.")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra headers, e.g. List-Unsubscribe.")
    attachments: list[dict] = Field(default_factory=list, description="{filename, content_type, content_base64}.")
    not_before: datetime | None = None
    expires_at: datetime | None = None


class SmsRequestedV1(Tolerant):
    event_type = "se.malmo.oppna.notification.sms.requested.v1"
    message_id: str
    recipient: str = Field(description="E.164 number.")
    language: str
    category: Category
    text: str
    encoding: str = Field(description="gsm7 or ucs2.")
    segments: int = Field(ge=1, description="SMS parts the text needs, known before sending.")
    not_before: datetime | None = Field(default=None, description="Quiet hours: not before 08:00 Europe/Stockholm.")
    expires_at: datetime | None = None


class NotificationDeliveredV1(Tolerant):
    event_type = "se.malmo.oppna.notification.delivered.v1"
    message_id: str
    channel: str
    delivered_at: datetime


class NotificationFailedV1(Tolerant):
    event_type = "se.malmo.oppna.notification.failed.v1"
    message_id: str
    channel: str
    failed_at: datetime
    permanent: bool
    reason: str = Field(max_length=1000)


class DeliveryOutcome(StrEnum):
    sent = "sent"  # handed over: the SMTP server or SMS gateway accepted it
    delivered = "delivered"  # a receipt said it arrived (SMS gateways send them; mail servers do not)
    bounced = "bounced"  # handed over, then a failure receipt came back (an email bounce, an SMS gateway's failure)
    failed = "failed"  # never handed over: refused, or temporary failures ran out of attempts
    expired = "expired"  # not sent: it would have come too late


class DeliveryCountedV1(Tolerant):
    """One message's outcome, without recipient: what reporting counts reach from."""

    event_type = "se.malmo.oppna.notification.delivery_counted.v1"
    message_id: str
    channel: str
    language: str
    category: Category
    outcome: DeliveryOutcome
    edition_id: str | None = None
    at: datetime


class NotificationDeadLetteredV1(Tolerant):
    """A message given up (a permanent failure, or temporary ones past the bounded attempts).

    On ``notifications.deadletter.v1``; no recipient, so operators can look without personal data.
    """

    event_type = "se.malmo.oppna.notification.dead_lettered.v1"
    message_id: str
    channel: str
    language: str
    category: Category
    attempts: int = Field(ge=0)
    permanent: bool = Field(description="True when the gateway refused it; False when temporary failures ran out of attempts.")
    reason: str = Field(max_length=1000, description="What the gateway or SMTP server answered (never the address or number).")
    at: datetime
