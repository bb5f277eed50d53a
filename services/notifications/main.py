"""Composition root of notifications: settings in, app out, every part built here; nothing connects
at import time (the runtime's clients connect when the app starts)."""

import asyncio

import structlog
from fastapi import FastAPI

from services.notifications.adapters import copies, feedback, messages, notices, subscriptions
from services.notifications.adapters.organizers import COLLECTION as ORGANIZERS
from services.notifications.adapters.organizers import OrganizerContacts
from services.notifications.adapters.read_at_once import OptOutsAtOnce
from services.notifications.adapters.sms_gateway import SmsGatewayAdapter
from services.notifications.adapters.smtp import SmtpAdapter
from services.notifications import render
from services.notifications.api import routers
from services.notifications.api.forms import declare_languages
from services.notifications.consumers import subscriptions as consumer_table
from services.notifications.settings import NotificationsSettings
from services.notifications.usecases.clock import Clock
from services.notifications.usecases.content import Contents
from services.notifications.usecases.digests import Digests
from services.notifications.usecases.feedback import Feedback
from services.notifications.usecases.privacy import Erasure
from services.notifications.usecases.recipients import Recipients
from services.notifications.usecases.report_reminders import ReportReminders
from services.notifications.usecases.send_together import SendTogether
from services.notifications.usecases.sending import Sender
from services.notifications.usecases.surveys import Surveys
from services.notifications.usecases.triggers import Triggers
from services.notifications.usecases.withdrawals import Withdrawals
from shared.db.aggregates import aggregate_indexes
from shared.db.outbox import publish_first
from shared.oidc import authenticator
from shared.runtime import Runtime
from shared.sources import SourceCopies
from shared.topics import NOTIFICATIONS_DEADLETTER
from shared.vocabularies import COLLECTION as VOCABULARIES
from shared.vocabularies import VocabularyCopies, vocabulary_subscription
from shared.web import create_service_app

log = structlog.get_logger(__name__)
OPT_OUTS = "opt_outs"
SOURCES = "sources"  # the registry's publishers, followed: a publisher's key reads its released comments
INDEXES = (
    aggregate_indexes(ORGANIZERS)
    + aggregate_indexes(messages.COLLECTION) + messages.INDEXES
    + copies.INDEXES
    + subscriptions.INDEXES
    + notices.INDEXES
    + feedback.INDEXES
    + aggregate_indexes(OPT_OUTS)
    + aggregate_indexes(VOCABULARIES)
    + aggregate_indexes(SOURCES)
)


def _copies(runtime: Runtime) -> copies.Copies:
    """Scheduling's aggregates as this service keeps them: only this process's consumers write
    them (one notifications process per database), so each store may answer from what it wrote."""
    a = runtime.aggregate
    return copies.Copies(a(copies.EDITIONS, own=True), a(copies.SESSIONS, own=True),
                         a(copies.REGISTRATIONS, lift=copies.registration_fields, own=True), a(copies.CONTACTS, lift=copies.contact_fields, own=True))


def _feedback_stores(runtime: Runtime) -> feedback.FeedbackStores:
    a = runtime.aggregate
    return feedback.FeedbackStores(a(feedback.SURVEYS), a(feedback.SLOTS), a(feedback.ANSWERS, lift=feedback.answer_fields), a(feedback.REPORT_REMINDERS))


def _adapters(settings: NotificationsSettings) -> tuple[SmtpAdapter, SmsGatewayAdapter]:
    s = settings
    return (SmtpAdapter(s.smtp_host, s.smtp_port, s.mail_from, s.smtp_username, s.smtp_password, s.smtp_starttls, s.smtp_timeout_s),
            SmsGatewayAdapter(s.sms_gateway_url, s.sms_sender, s.sms_gateway_token, s.sms_gateway_timeout_s))


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    runtime = Runtime(settings, INDEXES)
    runtime.relay_outbox_of(messages.COLLECTION)
    runtime.relay_outbox_of(feedback.ANSWERS)  # the answers' events and released comments
    a, now = runtime.aggregate, Clock()
    # own: the messages are written by this process alone (its timers and sender already assume one
    # notifications process per database), so a page is not read back after this store wrote it
    stored = messages.Messages(a(messages.COLLECTION, lift=messages.lift, own=True), publish_first(runtime.producer, messages.COLLECTION))
    kept = _copies(runtime)
    subscribers, organizers, opt_outs = subscriptions.Subscriptions(a(subscriptions.COLLECTION)), OrganizerContacts(a(ORGANIZERS)), a(OPT_OUTS)
    recipients = Recipients(settings, opt_outs, kept, subscribers, organizers)
    erasure = Erasure(stored, opt_outs, subscribers, kept, organizers)
    email, sms = _adapters(settings)
    said = _feedback_stores(runtime)
    vocabularies = VocabularyCopies(a(VOCABULARIES))  # the registry's, followed: interests' codes, the platform's languages
    sender = Sender(settings, stored, recipients, Contents(settings, kept, vocabularies, said.reminders), OptOutsAtOnce(opt_outs, runtime.db[OPT_OUTS].estimated_document_count),
                    now, runtime.producer.publish_many, email, sms)
    send_together = SendTogether(sender, now)
    triggers = Triggers(settings, stored, now, sender, send_together, runtime.lock("fan-outs"), copies=kept, notices=notices.Notices(a(notices.COLLECTION)),
                        organizers=organizers, withdrawals=Withdrawals(), erasure=erasure)
    digests = Digests(settings, subscribers, kept, now, triggers.schedule)
    surveys, reminders, answers = Surveys(triggers, said, settings.feedback_hour), ReportReminders(triggers, said), Feedback(settings, said, kept, now)
    runtime.subscribe(vocabulary_subscription(vocabularies, NOTIFICATIONS_DEADLETTER))
    sources = SourceCopies(a(SOURCES, own=True))
    for sub in consumer_table(triggers, surveys, reminders, sources):
        runtime.subscribe(sub)
    # the durable schedules run in one replica, the service's leader (shared/leadership.py)
    runtime.leadership.while_leader("notices", lambda: timers(settings, (triggers.fire_notices, digests.fire, surveys.fire, reminders.fire)))
    runtime.leadership.while_leader("sending", lambda: timers(settings, (sender.reclaim, sender.run_due)))

    async def start() -> None:
        await vocabularies.load()
        await sources.load()

    async def stop() -> None:
        await send_together.stop()
        await sms.close()
        await email.close()

    runtime.on_start(start)
    runtime.on_stop(stop)
    app = create_service_app(
        runtime,
        title="Öppna Malmö — notifications",
        description="Email and SMS in the reader's language / E-post och sms på mottagarens språk.",
    )
    state = app.state
    state.settings, state.auth, state.clock, state.producer = settings, authenticator(settings, sources.resolve), now, runtime.producer
    state.subscriptions, state.opt_outs, state.vocabularies = subscribers, opt_outs, vocabularies
    state.triggers, state.recipients, state.erasure = triggers, recipients, erasure
    state.feedback, state.surveys, state.report_reminders = answers, surveys, reminders
    for router in routers:
        app.include_router(router)
    declare_languages(app, render.languages(tuple(settings.template_dirs)))
    return app


async def timers(settings: NotificationsSettings, steps) -> None:
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
        await asyncio.sleep(settings.timer_interval_s)


__all__ = ["create_app", "INDEXES"]
