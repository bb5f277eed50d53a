"""Endpoints every service has: /healthz (alive), /readyz (Kafka and database answer), /metrics."""

import asyncio

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.db.client import ping
from shared.runtime import Runtime


def ops_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict:
        return {"status": "ok", "service": runtime.settings.service_name}

    @router.get("/readyz", summary="Kafka and the database answer, and every consumer runs")
    async def readyz(response: Response) -> dict:
        db_ok = runtime.db is not None and await asyncio.wait_for(ping(runtime.db), timeout=3)
        kafka_ok = runtime.producer is not None and await runtime.producer.ready()
        consumers_ok = all(r.healthy() for r in runtime.runners)
        ready = db_ok and kafka_ok and consumers_ok
        response.status_code = 200 if ready else 503
        return {"status": "ready" if ready else "not ready", "database": db_ok, "kafka": kafka_ok, "consumers": consumers_ok}

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with each field named as a dotted path and a stable code, like a dead letter's reasons."""
    reasons = [
        {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "code": e["type"], "message": e["msg"]}
        for e in exc.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": reasons})


def create_service_app(runtime: Runtime, title: str, description: str) -> FastAPI:
    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=runtime.lifespan)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.include_router(ops_router(runtime))
    app.state.runtime = runtime
    return app
