from typing import Literal

from pydantic import Field

from shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    mongodb_database: str = "notifications"
    http_port: int = 8103
    event_source: str = "urn:malmo:oppna:notifications"

    delivery_mode: Literal["adapters", "topics-only"] = Field(
        default="adapters",
        description="adapters: the built-in SMTP and SMS adapters deliver; topics-only: external gateways do. Topics are always written.",
    )
    token_secret: str = Field(default="dev-only-change-me", min_length=8, description="HMAC key of confirmation and unsubscribe tokens.")
    consent_text_version: str = Field(default="2025-09-01", description="Version of the consent text subscribers agree to.")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = 10.0
    mail_from: str = "Öppna Malmö <no-reply@oppna.malmo.se>"
    unsubscribe_mailto: str | None = Field(default=None, description="Optional mailto: for List-Unsubscribe beside the https link.")

    sms_gateway_url: str = Field(default="http://127.0.0.1:8190", description="Base URL of the HTTP SMS gateway (POST {url}/messages).")
    sms_gateway_token: str | None = Field(default=None, description="Bearer token for the SMS gateway.")
    sms_gateway_timeout_s: float = 10.0
    sms_sender: str = "OppnaMalmo"
    sms_webhook_secret: str = Field(default="dev-webhook-secret", description="The gateway sends it as X-Webhook-Secret on receipts.")

    quiet_start_hour: int = Field(default=21, ge=1, le=24, description="SMS wait from this hour (Europe/Stockholm) … (24: no quiet hours, tests only)")
    quiet_end_hour: int = Field(default=8, ge=0, le=23, description="… until this hour, unless urgent.")
    change_debounce_s: float = Field(default=300.0, ge=0, description="A burst of edits to a session within this time yields one change notice.")
    reminder_hours_before: int = Field(default=24, ge=1, description="Default when the edition does not say.")
    digest_hour: int = Field(default=9, ge=0, le=23, description="Digests go out at this hour (Europe/Stockholm).")
    feedback_hour: int = Field(default=10, ge=8, le=20, description="The feedback survey goes out the morning after a session, at this hour (Europe/Stockholm).")
    digest_period_override_s: float | None = Field(default=None, description="Tests: a digest period in seconds instead of a day/week.")

    send_max_attempts: int = Field(default=5, ge=1, le=20, description="Attempts at a temporary failure before the dead letter.")
    send_backoff_s: float = Field(default=30.0, ge=0, description="First retry delay after a temporary failure, doubled each time.")
    send_backoff_max_s: float = Field(default=3600.0, ge=0)
    email_per_second: float = Field(default=20.0, gt=0, description="Rate limit of the SMTP adapter.")
    sms_per_second: float = Field(default=5.0, gt=0, description="Rate limit of the SMS adapter.")
    sms_batch: int = Field(default=100, ge=1, le=500, description="SMS handed to the gateway in one request (never more than SMS_PER_SECOND).")
    fan_out_concurrency: int = Field(default=64, ge=1, le=1024, description="Messages of one change (one per registrant) made and sent this many at a time.")
    timer_interval_s: float = Field(default=1.0, gt=0, description="How often due messages, notices and digests are looked for.")

    template_dirs: list[str] = Field(default_factory=list, description=(
        "Extra template folders, searched before the built-in ones: a language's folder (<lang>/labels.json and a .j2 per category) "
        "added as data. Messages are offered in the platform languages (the registry's languages vocabulary) that have templates."))
    # Themes, districts, session languages and the platform's languages are the registry's
    # vocabularies, followed from registry.vocabularies.v1 (shared/vocabularies.py): no list here.

    sending_lease_s: float = Field(default=30.0, gt=0, description="A message left 'sending' this long by a process that died is sent again, same id (above SMTP_TIMEOUT_S).")
    fault_exit_before_send: bool = Field(default=False, description="Tests only: os._exit after a message was marked sending, before it is handed over.")
    fault_exit_after_send: bool = Field(default=False, description="Tests only: os._exit right after a message was accepted, before it is marked.")
