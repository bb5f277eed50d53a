import os
import uuid

import pytest

from tests.endpoints import Endpoints, endpoints


def pytest_collection_modifyitems(config, items):
    """Tier markers follow the folder, so `-m unit` etc. run one tier alone."""
    for item in items:
        for tier in ("unit", "integration", "e2e"):
            if f"{os.sep}{tier}{os.sep}" in str(item.fspath):
                item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture(scope="session")
def infra() -> Endpoints:
    with endpoints() as e:
        yield e


@pytest.fixture(scope="session")
def run_id() -> str:
    """One test run's prefix for topics, groups and databases: runs on one broker never meet."""
    return f"t{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
async def platform(infra, run_id):
    """All four services, running in this event loop on the real broker and database."""
    from services.notifications.main import create_app as notifications_app
    from services.notifications.settings import NotificationsSettings
    from services.registry.main import create_app as registry_app
    from services.registry.settings import RegistrySettings
    from services.reporting.main import create_app as reporting_app
    from services.reporting.settings import ReportingSettings
    from services.scheduling.main import create_app as scheduling_app
    from services.scheduling.settings import SchedulingSettings
    from tests.platform import Platform

    async with Platform.start(
        infra,
        run_id,
        registry=(registry_app, RegistrySettings),
        scheduling=(scheduling_app, SchedulingSettings),
        notifications=(notifications_app, NotificationsSettings),
        reporting=(reporting_app, ReportingSettings),
    ) as p:
        yield p
