"""Composition root of notifications: settings in, app out; nothing connects at import time."""

import asyncio
import contextlib
import functools

import structlog
from fastapi import FastAPI

from services.notifications import api, batch_send, copies, messages, notices, subscriptions
from services.notifications.adapters.sms_gateway import SmsGatewayAdapter
from services.notifications.adapters.smtp import SmtpAdapter
from services.notifications.consumers import subscriptions as consumer_table
from services.notifications.digests import fire_digests
from services.notifications.dispatcher import Dispatcher
from services.notifications.organizers import COLLECTION as ORGANIZERS
from services.notifications.organizers import OrganizerContacts
from services.notifications.parts import Parts
from services.notifications.settings import NotificationsSettings
from services.notifications.send_together import SendTogether
from services.notifications.triggers import Triggers
from shared.auth import Authenticator
from shared.db.aggregates import aggregate_indexes
from shared.runtime import Runtime
from shared.topics import NOTIFICATIONS_DEADLETTER
from shared.vocabularies import COLLECTION as VOCABULARIES
from shared.vocabularies import VocabularyCopies, vocabulary_subscription
from shared.web import create_service_app

log = structlog.get_logger(__name__)
OPT_OUTS = "opt_outs"
INDEXES = (
    aggregate_indexes(ORGANIZERS)
    + aggregate_indexes(messages.COLLECTION) + messages.INDEXES
    + copies.INDEXES
    + subscriptions.INDEXES
    + notices.INDEXES
    + aggregate_indexes(OPT_OUTS)
    + aggregate_indexes(VOCABULARIES)
)


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    runtime = Runtime(settings, INDEXES)
    runtime.relay_outbox_of(messages.COLLECTION)
    ref: dict = {}
    tasks: list[asyncio.Task] = []

    async def build() -> None:
        a = runtime.aggregate
        parts = Parts(
            settings=settings,
            messages=messages.Messages(a(messages.COLLECTION)),
            copies=copies.Copies(a(copies.EDITIONS), a(copies.SESSIONS), a(copies.REGISTRATIONS), a(copies.CONTACTS)),
            subscriptions=subscriptions.Subscriptions(a(subscriptions.COLLECTION)),
            notices=notices.Notices(a(notices.COLLECTION)),
            organizers=OrganizerContacts(a(ORGANIZERS)),
            opt_outs=a(OPT_OUTS),
            producer=runtime.producer,
            vocabularies=VocabularyCopies(a(VOCABULARIES)),
        )
        await parts.vocabularies.load()
        runtime.subscribe(vocabulary_subscription(parts.vocabularies, NOTIFICATIONS_DEADLETTER))
        email = SmtpAdapter(settings.smtp_host, settings.smtp_port, settings.mail_from, settings.smtp_username, settings.smtp_password, settings.smtp_starttls, settings.smtp_timeout_s)
        sms = SmsGatewayAdapter(settings.sms_gateway_url, settings.sms_sender, settings.sms_gateway_token, settings.sms_gateway_timeout_s)
        dispatcher = Dispatcher(parts, email, sms)
        triggers = Triggers(parts)
        triggers.kick = dispatcher.process
        if settings.delivery_mode == "adapters":
            triggers.send_new = functools.partial(batch_send.send_new, dispatcher)
            triggers.send_together = SendTogether(triggers.send_new, parts.now)
        ref.update(parts=parts, triggers=triggers, dispatcher=dispatcher, sms=sms, email=email)
        await dispatcher.recover()
        for sub in consumer_table(triggers):
            runtime.subscribe(sub)
        tasks.append(asyncio.create_task(timers(parts, (triggers.fire_notices, lambda: fire_digests(parts, triggers.schedule))), name="notifications-notices"))
        tasks.append(asyncio.create_task(timers(parts, (dispatcher.reclaim, dispatcher.run_due)), name="notifications-timers"))

    async def stop() -> None:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if "triggers" in ref and ref["triggers"].send_together is not None:
            await ref["triggers"].send_together.stop()
        for adapter in ("sms", "email"):
            if adapter in ref:
                await ref[adapter].close()

    app = create_service_app(
        runtime, on_start=build, on_stop=stop,
        title="Öppna Malmö — notifications",
        description="Email and SMS in the reader's language / E-post och sms på mottagarens språk.",
    )
    app.state.notifications = ref
    app.include_router(api.router(ref, Authenticator(settings.staff_api_keys)))
    return app


async def timers(parts: Parts, steps) -> None:
    """Durable schedules, fired from the database (a restart neither loses nor repeats them).
    Two loops: debounced change notices and digests in one, messages stuck ``sending`` and then
    every due message in the other — a notice to a big session is a fan-out of minutes, and while
    it ran no retry, reminder or reclaim went out."""
    while True:
        # reclaim: messages a dead process left "sending" past the lease go out again (same id)
        for step in steps:
            try:
                await step()
            except Exception as e:
                log.warning("timer_step_failed", error=f"{type(e).__name__}: {e}"[:300])
        await asyncio.sleep(parts.settings.timer_interval_s)


__all__ = ["create_app", "INDEXES"]
