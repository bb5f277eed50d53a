"""Run a service app with uvicorn; SIGTERM makes uvicorn run the lifespan's shutdown (drain)."""

import uvicorn
from fastapi import FastAPI

from shared.settings import ServiceSettings


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        timeout_graceful_shutdown=20,
    )
