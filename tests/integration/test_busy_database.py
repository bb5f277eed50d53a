"""A busy or absent database is answered 503 with Retry-After by every service, never 500: a client
(or an integrator's generated one) knows to try again, and nothing half-done is claimed."""

import socket

import pytest
from httpx import ASGITransport, AsyncClient
from pymongo.errors import NetworkTimeout, WaitQueueTimeoutError

from services.notifications.main import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from services.registry.main import create_app as registry_app
from services.registry.settings import RegistrySettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.scheduling.main import create_app as scheduling_app
from services.scheduling.settings import SchedulingSettings
from shared.auth import Role
from shared.db.aggregates import ConcurrentChange
from tests.platform import as_role, settings_for

SERVICES = {"registry": (registry_app, RegistrySettings), "scheduling": (scheduling_app, SchedulingSettings),
            "notifications": (notifications_app, NotificationsSettings), "reporting": (reporting_app, ReportingSettings)}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once it is closed


def _busy(r) -> bool:
    return r.status_code == 503 and int(r.headers["retry-after"]) >= 1 and r.json()["detail"][0]["code"] == "busy"


async def test_the_review_queue_with_the_database_away_is_a_503_with_retry_after(infra, run_id):
    """The curators' work list when the registry's database does not answer within its timeout."""
    settings = settings_for(RegistrySettings, infra, run_id, mongodb_url=f"mongodb://127.0.0.1:{_closed_port()}/", db_timeout_ms=300)
    async with AsyncClient(transport=ASGITransport(app=registry_app(settings)), base_url="http://registry") as http:
        r = await http.get("/v1/review/queue", params={"q": "x" * 200}, headers=as_role(Role.curator))
    assert _busy(r), (r.status_code, r.text)


@pytest.mark.parametrize("service", sorted(SERVICES))
@pytest.mark.parametrize("error", [WaitQueueTimeoutError("pool"), NetworkTimeout("timed out"), ConcurrentChange("s1")], ids=type)
async def test_every_service_answers_a_busy_database_with_503(infra, run_id, service, error):
    create_app, settings = SERVICES[service]
    app = create_app(settings_for(settings, infra, run_id))

    @app.get("/boom")
    async def boom():
        raise error

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as http:
        assert _busy(await http.get("/boom"))
