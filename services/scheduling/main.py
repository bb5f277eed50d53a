"""Composition root of scheduling: settings in, app out, every part built here; nothing connects at
import time (the runtime's clients connect when the app starts)."""

import os
from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from services.scheduling.adapters.initiatives import InitiativeCopies
from services.scheduling.adapters.programme import Programme
from services.scheduling.adapters.records import RegistrationRecords
from services.scheduling.adapters.reports import ReportCopies
from services.scheduling.adapters.rendered import FastPath, Rendered
from services.scheduling.adapters.texts import PageTexts, folders
from shared.sources import SourceCopies
from services.scheduling.adapters.stores import (
    CONTACTS,
    EDITIONS,
    INDEXES,
    INITIATIVES,
    REGISTRATIONS,
    REPORTS,
    SESSIONS,
    SOURCES,
    VENUES,
    WITH_OUTBOX,
    contact_fields,
)
from services.scheduling.api import routers
from services.scheduling.api.document import describe
from services.scheduling.api.errors import answer_errors
from services.scheduling.consumers import subscriptions
from services.scheduling.settings import SchedulingSettings
from services.scheduling.usecases.erasure import Erasure
from services.scheduling.usecases.initiatives import FollowInitiatives
from services.scheduling.usecases.knowledge import KnowledgeBank
from services.scheduling.usecases.organisers import Organisers
from services.scheduling.usecases.planning import Planning
from services.scheduling.usecases.registrations import Registrations
from services.scheduling.usecases.replicas import ProgrammeFollower
from services.scheduling.usecases.retention import ContactRetention
from services.scheduling.usecases.seat_desk import SeatDesk
from shared.cors import allow_public_reads
from shared.oidc import authenticator
from shared.runtime import Runtime
from shared.vocabularies import COLLECTION as VOCABULARIES
from shared.vocabularies import VocabularyCopies
from shared.web import create_service_app


def _fault_hook(settings: SchedulingSettings) -> Callable[[], None] | None:
    """FAULT_EXIT_AFTER_SEAT (tests only): the process dies right after a seat is written, unanswered."""
    return (lambda: os._exit(137)) if settings.fault_exit_after_seat else None


def _loads_then_sweeps(runtime: Runtime, loads: tuple[Callable[[], Awaitable[None]], ...], retention: ContactRetention) -> None:
    """At start: each of ``loads`` in order; the contacts' retention sweep in the leader only."""

    async def start() -> None:
        for load in loads:
            await load()

    runtime.on_start(start)
    runtime.leadership.while_leader("contact-retention", retention.run)


def create_app(settings: SchedulingSettings | None = None) -> FastAPI:
    settings = settings or SchedulingSettings()
    runtime = Runtime(settings, INDEXES)
    source = settings.event_source
    sessions = runtime.aggregate(SESSIONS)
    programme = Programme(sessions, runtime.aggregate(VENUES))
    contacts = runtime.aggregate(CONTACTS, lift=contact_fields)  # found by their session: what the retention sweep asks for
    records = RegistrationRecords(runtime.db[REGISTRATIONS])
    # An erasure's steps and the seat desk's look at erased contacts hold the contacts' own lock,
    # and a desk's batch holds its session's: the writes inside them re-enter it, no second lease.
    contact_locks = runtime.lock(CONTACTS)
    initiatives = InitiativeCopies(runtime.aggregate(INITIATIVES))
    planning = Planning(settings, runtime.aggregate(EDITIONS), runtime.aggregate(VENUES), sessions, initiatives, programme,
                        schedule_locks=runtime.lock("edition-schedules"))
    desk = SeatDesk(sessions, contacts, records, programme, source, contact_locks, runtime.lock(SESSIONS), after_seat=_fault_hook(settings))
    registrations = Registrations(sessions, records, desk, programme, source, settings.public_base_url)
    erasure = Erasure(contacts, records, runtime.producer, contact_locks)
    retention = ContactRetention(erasure, lambda: programme.sessions.values(), settings.contact_retention_days,
                                 settings.contact_retention_sweep_s)
    following = FollowInitiatives(initiatives, planning, programme)
    vocabularies = VocabularyCopies(runtime.aggregate(VOCABULARIES))  # labels on the page and in the feeds
    vocabularies.when_changed(programme.touch)
    sources = SourceCopies(runtime.aggregate(SOURCES, own=True))  # publishers' keys (hashes), so a publisher's key is valid here
    knowledge = KnowledgeBank(ReportCopies(runtime.aggregate(REPORTS, own=True)), initiatives)  # the public knowledge bank
    for collection in WITH_OUTBOX:
        runtime.relay_outbox_of(collection)
    follower = ProgrammeFollower(programme, runtime.aggregate(EDITIONS), sessions)  # other replicas' changes, into memory
    for subscription in subscriptions(following, vocabularies, sources, knowledge, follower):
        runtime.subscribe(subscription)
    # settle first: before the programme is read, every seat taken has its document
    _loads_then_sweeps(runtime, (registrations.settle_all, planning.load, following.load, vocabularies.load, sources.load, knowledge.load),
                       retention)
    app = create_service_app(
        runtime,
        title="Öppna Malmö — scheduling",
        description="The forum period's programme and registrations / Forumperiodens program och anmälningar.",
    )
    state = app.state
    state.settings, state.auth, state.programme = settings, authenticator(settings, sources.resolve), programme
    state.rendered = Rendered(lambda: programme.version)  # the programme's rendered representations
    state.planning, state.registrations, state.erasure = planning, registrations, erasure
    state.organisers, state.knowledge = Organisers(programme), knowledge
    state.texts = PageTexts(folders(settings.scheduling_texts_dirs))  # the public pages' words, read once
    state.initiatives, state.vocabularies, state.retention = initiatives, vocabularies, retention  # tests move retention's clock
    answer_errors(app)
    describe(app, state.texts.codes)
    for router in routers:
        app.include_router(router)
    app.add_middleware(FastPath, rendered=state.rendered, prefix="/v1/programme")  # the public feeds from their bytes, before routing
    allow_public_reads(app, settings.cors_allowed_origins, "/v1/programme")  # last: outside the feeds' fast path
    return app


__all__ = ["create_app", "INDEXES"]
