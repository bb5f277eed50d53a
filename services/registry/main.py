"""Composition root of the registry: settings in, app out; nothing connects at import time.

``create_app`` builds every store, use case and query, puts each on ``app.state`` for the routes
(``api.deps``), registers the consumers and the start-up seeding, and includes the routers.
"""

import os
from datetime import UTC, datetime
from functools import partial

from fastapi import FastAPI

from services.registry.adapters import reports as report_store, search
from services.registry.adapters.editions import Editions
from services.registry.adapters.read_limit import BoundedReads
from services.registry.adapters.rejections import Rejections
from services.registry.adapters.staff_index import IndexedStore, StaffIndex
from services.registry.adapters.staff_queries import Search
from services.registry.adapters.reports import ReportQueries, SessionStarts
from services.registry.adapters.stores import EDITIONS, GRANTS, INDEXES, INITIATIVES, REJECTIONS, REPORTS, SESSION_STARTS, SOURCES, VOCABULARIES
from services.registry.api import routers
from services.registry.api.submissions import name_the_cloudevent
from services.registry.consumers import DEDUP_SCOPE, every_replica, subscriptions
from services.registry.settings import RegistrySettings
from services.registry.usecases.contacts import OrganiserContacts
from services.registry.usecases.curation import Curation
from services.registry.usecases.reports import Reports
from services.registry.usecases.grants import Grants
from services.registry.usecases.sources import Sources
from services.registry.usecases.submissions import Submissions
from services.registry.usecases.vocabularies import Vocabularies
from shared.cors import allow_public_reads
from shared.http import refused_response
from shared.oidc import authenticator
from shared.refusals import Refused
from shared.runtime import Runtime
from shared.topics import REGISTRY_INITIATIVES
from shared.web import create_service_app


def _die_before_first_publication(runtime: Runtime) -> None:
    """The FAULT_EXIT_AFTER_WRITE test hook: the state is written, its event not yet published."""
    publish_many = runtime.producer.publish_many

    async def dying(items):
        if any(topic == REGISTRY_INITIATIVES for topic, _, _ in items):
            os._exit(137)
        await publish_many(items)

    runtime.producer.publish_many = dying


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    runtime = Runtime(settings, INDEXES)
    if settings.fault_exit_after_write:
        _die_before_first_publication(runtime)
    emitter = settings.event_source
    stored = runtime.aggregate(INITIATIVES, lift=search.lifted)
    index = StaffIndex(stored)  # what the staff's queries find by, on every replica (decision 0015)
    initiatives = IndexedStore(stored, index)  # this replica's writes into the index at once
    sources = Sources(runtime.aggregate(SOURCES), emitter)
    vocabularies = Vocabularies(runtime.aggregate(VOCABULARIES), emitter)
    editions = Editions(runtime.aggregate(EDITIONS, own=True))  # the windows late submissions are measured against
    rejections = Rejections(runtime.db[REJECTIONS], sources.cached, partial(sources.publisher_of, prefix=settings.topic_prefix))
    submissions = Submissions(initiatives, emitter, sources, vocabularies, editions)
    reports_store = runtime.aggregate(REPORTS, lift=report_store.lifted)
    starts = SessionStarts(runtime.aggregate(SESSION_STARTS, own=True))  # when each initiative's first session begins
    reports = Reports(reports_store, initiatives, starts, sources, vocabularies, emitter)
    runtime.relay_outbox_of(INITIATIVES)
    runtime.relay_outbox_of(VOCABULARIES)  # registry.vocabularies.v1, keyed by the vocabulary's name
    runtime.relay_outbox_of(GRANTS)  # registry.grants.v1, keyed by the edition
    runtime.relay_outbox_of(SOURCES)  # registry.sources.v1, keyed by the source's URI
    runtime.relay_outbox_of(REPORTS)  # registry.reports.v1, keyed by the initiative
    for subscription, scope in subscriptions(submissions, rejections, editions, reports, starts) + every_replica(index):
        runtime.subscribe(subscription, scope)

    async def seed() -> None:
        await vocabularies.seed(datetime.now(UTC))

    runtime.on_start(seed)
    runtime.on_start(index.start_loading)  # in the background: until loaded the queries ask the database
    runtime.on_stop(index.stop_loading)
    app = create_service_app(
        runtime,
        title="Öppna Malmö — registry",
        description="Publishers' initiatives under one umbrella, reviewed and stamped / Utgivarnas initiativ under ett paraply, granskade och stämplade.",
    )
    app.state.auth = authenticator(settings, sources.resolve)
    app.state.submissions = submissions
    app.state.curation = Curation(initiatives, emitter)
    app.state.organiser_contacts = OrganiserContacts(initiatives, emitter)
    app.state.sources = sources
    app.state.grants = Grants(runtime.aggregate(GRANTS), initiatives, editions, emitter)
    app.state.vocabularies = vocabularies
    app.state.rejections = rejections
    app.state.search = Search(index, stored)
    app.state.staff_index = index
    app.state.reports = reports
    app.state.report_queries = ReportQueries(reports_store)
    app.state.processed = runtime.processed(DEDUP_SCOPE)
    app.add_exception_handler(Refused, refused_response)
    app.add_middleware(BoundedReads, limit_s=settings.read_timeout_ms / 1000)
    for router in routers:
        app.include_router(router)
    name_the_cloudevent(app)
    allow_public_reads(app, settings.cors_allowed_origins, "/v1/vocabularies", "/v1/contracts")
    return app


__all__ = ["create_app", "INDEXES"]
