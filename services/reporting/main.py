"""Composition root of reporting."""

from fastapi import FastAPI

from services.reporting.api import build_router
from services.reporting.consumers import subscriptions
from services.reporting.model import ReadModel
from services.reporting.projection import INDEXES, Projection
from services.reporting.settings import ReportingSettings
from services.reporting.snapshots import Snapshots
from shared.auth import Authenticator
from shared.db.aggregates import aggregate_indexes
from shared.cors import allow_public_reads
from shared.runtime import Runtime
from shared.topics import REPORTING_DEADLETTER
from shared.vocabularies import COLLECTION as VOCABULARIES
from shared.vocabularies import VocabularyCopies, vocabulary_subscription
from shared.web import create_service_app


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = Runtime(settings, INDEXES + aggregate_indexes(VOCABULARIES))
    model = ReadModel()
    parts: dict = {}

    async def build() -> None:
        snapshots = Snapshots(runtime.db, runtime.producer, model, settings.suppression_threshold)
        parts["snapshots"] = snapshots
        projection = Projection(runtime.db, model, runtime.locks, on_edition_closed=snapshots.on_edition_closed)
        await projection.load()
        for sub in subscriptions(projection):
            runtime.subscribe(sub)
        # labels only, never figures: not part of the projection, so a rebuild compares the same
        parts["vocabularies"] = VocabularyCopies(runtime.aggregate(VOCABULARIES))
        await parts["vocabularies"].load()
        runtime.subscribe(vocabulary_subscription(parts["vocabularies"], REPORTING_DEADLETTER))
        snapshots.start(settings.snapshot_interval_s)

    async def stop() -> None:
        if "snapshots" in parts:
            await parts["snapshots"].stop()

    runtime.on_start(build)
    runtime.on_stop(stop)
    app = create_service_app(
        runtime,
        title="Öppna Malmö — reporting",
        description="The unified picture and follow-up of effects / Den samlade bilden och uppföljning av effekter.",
    )
    app.state.read_model = model
    app.include_router(build_router(settings, model, Authenticator(settings.staff_api_keys), lambda: parts.get("snapshots"), lambda: parts.get("vocabularies")))
    allow_public_reads(app, settings.cors_allowed_origins, "/v1/figures", "/v1/editions")  # GET only: the public, suppressed figures
    return app
