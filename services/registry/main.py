"""Composition root of the registry: settings in, app out; nothing connects at import time."""

from fastapi import FastAPI

from services.registry import api
from services.registry.consumers import DEDUP_SCOPE, subscriptions
from services.registry.settings import RegistrySettings
from services.registry.submissions import COLLECTION, Submissions
from shared.db.aggregates import aggregate_indexes
from shared.runtime import Runtime
from shared.web import create_service_app

INDEXES = aggregate_indexes(COLLECTION)


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    runtime = Runtime(settings, INDEXES)
    parts = api.Parts()
    runtime.relay_outbox_of(COLLECTION)

    async def build() -> None:
        parts.submissions = Submissions(runtime.aggregate(COLLECTION), settings.event_source)
        parts.processed = runtime.processed(DEDUP_SCOPE)
        for sub in subscriptions(parts.submissions):
            runtime.subscribe(sub, DEDUP_SCOPE)

    runtime.on_start(build)
    app = create_service_app(
        runtime,
        title="Öppna Malmö — registry",
        description="Publishers' initiatives under one umbrella / Utgivarnas initiativ under ett paraply.",
    )
    app.include_router(api.router(parts))
    return app


__all__ = ["create_app", "INDEXES"]
