"""Composition root of reporting."""

from fastapi import APIRouter, FastAPI

from services.reporting.consumers import subscriptions
from services.reporting.figures import InitiativeFigures
from services.reporting.projection import COLLECTION, InitiativeProjection
from services.reporting.settings import ReportingSettings
from shared.db.aggregates import aggregate_indexes
from shared.runtime import Runtime
from shared.web import create_service_app

INDEXES = aggregate_indexes(COLLECTION)


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = Runtime(settings, INDEXES)
    figures = InitiativeFigures()

    async def build() -> None:
        projection = InitiativeProjection(runtime.aggregate(COLLECTION), figures)
        await projection.load()
        for sub in subscriptions(projection):
            runtime.subscribe(sub)

    runtime.on_start(build)
    app = create_service_app(
        runtime,
        title="Öppna Malmö — reporting",
        description="The unified picture and follow-up of effects / Den samlade bilden och uppföljning av effekter.",
    )
    router = APIRouter(prefix="/v1", tags=["figures"])

    @router.get("/figures/initiatives", summary="Initiatives counted by status, theme, organizer kind and origin")
    async def initiative_figures(source: str | None = None) -> dict:
        """``source``: only one publisher's initiatives."""
        return figures.counts(source)

    app.include_router(router)
    return app
