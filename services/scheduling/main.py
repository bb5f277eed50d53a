"""Composition root of scheduling."""

from fastapi import APIRouter, FastAPI, HTTPException

from services.scheduling.consumers import subscriptions
from services.scheduling.initiatives import COLLECTION, InitiativeCopies
from services.scheduling.settings import SchedulingSettings
from shared.db.aggregates import aggregate_indexes
from shared.runtime import Runtime
from shared.web import create_service_app

INDEXES = aggregate_indexes(COLLECTION)


def create_app(settings: SchedulingSettings | None = None) -> FastAPI:
    settings = settings or SchedulingSettings()
    runtime = Runtime(settings, INDEXES)
    parts: dict[str, InitiativeCopies] = {}

    async def build() -> None:
        parts["initiatives"] = InitiativeCopies(runtime.aggregate(COLLECTION))
        for sub in subscriptions(parts["initiatives"]):
            runtime.subscribe(sub)

    runtime.on_start(build)
    app = create_service_app(
        runtime,
        title="Öppna Malmö — scheduling",
        description="The forum period's programme and registrations / Forumperiodens program och anmälningar.",
    )
    router = APIRouter(prefix="/v1", tags=["initiatives"])

    @router.get("/initiatives/{initiative_id}", summary="Scheduling's copy of an initiative")
    async def get_initiative(initiative_id: str) -> dict:
        copy = await parts["initiatives"].get(initiative_id)
        if copy is None:
            raise HTTPException(404, detail=[{"field": "initiative_id", "code": "not_found", "message": "No such initiative"}])
        return copy

    app.include_router(router)
    return app
