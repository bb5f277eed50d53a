"""Composition root of reporting: every store, use case and adapter built here, in ``create_app``."""

from fastapi import FastAPI

from services.reporting.adapters.stores import INDEXES, SNAPSHOTS, summary_stores
from services.reporting.api import routers
from services.reporting.consumers import every_replica, subscriptions
from services.reporting.domain.model import ReadModel
from services.reporting.settings import ReportingSettings
from services.reporting.usecases.projection import Projection
from services.reporting.usecases.replay import InMemoryProjection
from services.reporting.usecases.snapshots import Snapshots
from shared.cors import allow_public_reads
from shared.db.aggregates import aggregate_indexes
from shared.oidc import authenticator
from shared.runtime import Runtime
from shared.topics import REPORTING_DEADLETTER
from shared.vocabularies import COLLECTION as VOCABULARIES
from shared.vocabularies import VocabularyCopies, vocabulary_subscription
from shared.web import create_service_app

__all__ = ["INDEXES", "create_app"]


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = Runtime(settings, INDEXES + aggregate_indexes(VOCABULARIES))
    model = ReadModel()
    snapshots = Snapshots(runtime.aggregate(SNAPSHOTS), runtime.lock("snapshot-editions"), runtime.producer, model, settings.suppression_threshold,
                          settings.snapshot_interval_s)
    projection = Projection(summary_stores(runtime.aggregate), model, on_edition_closed=snapshots.on_edition_closed)
    # labels only, never figures: not part of the projection, so a rebuild compares the same
    vocabularies = VocabularyCopies(runtime.aggregate(VOCABULARIES))
    for sub in subscriptions(projection) + every_replica(InMemoryProjection(model)):  # the model equal on every replica
        runtime.subscribe(sub)
    runtime.subscribe(vocabulary_subscription(vocabularies, REPORTING_DEADLETTER))
    runtime.on_start(projection.load)
    runtime.on_start(vocabularies.load)
    runtime.leadership.while_leader("snapshots", snapshots.run)  # the leader leads once the model is loaded

    app = create_service_app(
        runtime,
        title="Öppna Malmö — reporting",
        description="The unified picture and follow-up of effects / Den samlade bilden och uppföljning av effekter.",
    )
    app.state.settings = settings
    app.state.read_model = model
    app.state.snapshots = snapshots
    app.state.vocabularies = vocabularies
    app.state.auth = authenticator(settings)
    for router in routers:
        app.include_router(router)
    allow_public_reads(app, settings.cors_allowed_origins, "/v1/figures", "/v1/editions")  # GET only: the public, suppressed figures
    return app
