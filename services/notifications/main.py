"""Composition root of notifications: settings in, app out, every part built here; nothing connects
at import time (the runtime's clients connect when the app starts)."""

import asyncio
import contextlib

import structlog
from fastapi import FastAPI

from services.notifications import api, copies, notices, subscriptions
from services.notifications.adapters import messages
from services.notifications.adapters.sms_gateway import SmsGatewayAdapter
from services.notifications.adapters.smtp import SmtpAdapter
from services.notifications.consumers import subscriptions as consumer_table
from services.notifications.digests import fire_digests
from services.notifications.organizers import COLLECTION as ORGANIZERS
from services.notifications.organizers import OrganizerContacts
from services.notifications.parts import Parts
from services.notifications.read_at_once import OptOutsAtOnce
from services.notifications.settings import NotificationsSettings
from services.notifications.usecases.send_together import SendTogether
from services.notifications.usecases.sending import Sender
from services.notifications.usecases.triggers import Triggers
from shared.auth import Authenticator
from shared.db.aggregates import aggregate_indexes
from shared.db.keyed_lock import KeyedLock
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


def _parts(settings: NotificationsSettings, runtime: Runtime) -> Parts:
    a = runtime.aggregate
    # the copies: only this process's consumers write them (one notifications process per database)
    return Parts(
        settings=settings,
        messages=messages.Messages(a(messages.COLLECTION, lift=messages.lift)),
        copies=copies.Copies(a(copies.EDITIONS, own=True), a(copies.SESSIONS, own=True),
                             a(copies.REGISTRATIONS, lift=copies.registration_fields, own=True), a(copies.CONTACTS, lift=copies.contact_fields, own=True)),
        subscriptions=subscriptions.Subscriptions(a(subscriptions.COLLECTION)),
        notices=notices.Notices(a(notices.COLLECTION)),
        organizers=OrganizerContacts(a(ORGANIZERS)),
        opt_outs=a(OPT_OUTS),
        producer=runtime.producer,
        vocabularies=VocabularyCopies(a(VOCABULARIES)),
    )


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    runtime = Runtime(settings, INDEXES)
    runtime.relay_outbox_of(messages.COLLECTION)
    parts = _parts(settings, runtime)
    email = SmtpAdapter(settings.smtp_host, settings.smtp_port, settings.mail_from, settings.smtp_username, settings.smtp_password, settings.smtp_starttls, settings.smtp_timeout_s)
    sms = SmsGatewayAdapter(settings.sms_gateway_url, settings.sms_sender, settings.sms_gateway_token, settings.sms_gateway_timeout_s)
    sender = Sender(parts, OptOutsAtOnce(parts.opt_outs, runtime.db[OPT_OUTS].estimated_document_count), email, sms)
    send_together = SendTogether(sender, parts.now)
    triggers = Triggers(parts, sender, send_together, KeyedLock())
    runtime.subscribe(vocabulary_subscription(parts.vocabularies, NOTIFICATIONS_DEADLETTER))
    for sub in consumer_table(triggers):
        runtime.subscribe(sub)
    tasks: list[asyncio.Task] = []

    async def start() -> None:
        await messages.ensure_list_indexes(runtime.db, runtime.indexes, settings.ferretdb_postgresql_url)
        await parts.vocabularies.load()
        await sender.reclaim()
        tasks.append(asyncio.create_task(timers(parts, (triggers.fire_notices, lambda: fire_digests(parts, triggers.schedule))), name="notifications-notices"))
        tasks.append(asyncio.create_task(timers(parts, (sender.reclaim, sender.run_due)), name="notifications-timers"))

    async def stop() -> None:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await send_together.stop()
        await sms.close()
        await email.close()

    app = create_service_app(
        runtime, on_start=start, on_stop=stop,
        title="Öppna Malmö — notifications",
        description="Email and SMS in the reader's language / E-post och sms på mottagarens språk.",
    )
    ref = dict(parts=parts, triggers=triggers, sender=sender, sms=sms, email=email)
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
