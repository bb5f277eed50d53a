"""Composition root of the console: settings in, app out; nothing connects at import time.

``create_app`` builds the services' HTTP clients, the session store and sign-in, puts each on
``app.state`` for the pages (``api.deps``), installs the pages refusals lead to, and includes the
routers. ``clock`` (seconds, monotonic) is for tests of idle expiry.
"""

import contextlib
import time
from collections.abc import AsyncIterator, Callable

from fastapi import FastAPI

from services.console.adapters.identity import CityIdentity
from services.console.adapters.notifications import Notifications
from services.console.adapters.registry import Registry
from services.console.adapters.reporting import Reporting
from services.console.adapters.scheduling import Scheduling
from services.console.adapters.services import ServiceClient
from services.console.api import routers
from services.console.api.pages import HANDLERS
from services.console.settings import ConsoleSettings
from services.console.usecases.sessions import Sessions, SignIn
from services.console.usecases.words import Vocabularies
from shared.logs import configure_logging
from shared.web import EdgeMiddleware


def create_app(settings: ConsoleSettings | None = None, clock: Callable[[], float] = time.monotonic) -> FastAPI:
    settings = settings or ConsoleSettings()
    clients = {name: ServiceClient(name, url, settings.service_timeout_s) for name, url in settings.service_urls().items()}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level, settings.log_json)
        try:
            yield
        finally:
            for client in clients.values():
                await client.close()

    app = FastAPI(title="Öppna Malmö — console", description="The staff's and organisers' pages / Personalens och arrangörernas sidor.",
                  version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_body_bytes)
    sessions = Sessions(settings.console_idle_minutes * 60, settings.max_sessions, clock)
    registry = Registry(clients["registry"])
    app.state.settings = settings
    app.state.clients = clients
    app.state.sessions = sessions
    app.state.registry = registry
    app.state.scheduling = Scheduling(clients["scheduling"])
    app.state.reporting = Reporting(clients["reporting"], settings.reporting_public_url or settings.reporting_url)
    app.state.notifications = Notifications(clients["notifications"])
    app.state.sign_in = SignIn(sessions, registry)
    app.state.vocabularies = Vocabularies(registry, clock=clock)
    app.state.identity = CityIdentity(settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret.get_secret_value(),
                                      settings.service_timeout_s) if settings.city_sign_in else None
    for exc, handler in HANDLERS.items():
        app.add_exception_handler(exc, handler)
    for router in routers:
        app.include_router(router)
    return app


__all__ = ["create_app"]
