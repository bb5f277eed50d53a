"""The rebuild against the live projection when the streams interleave differently.

Live, reporting reads four topics concurrently; the replay reads them in its own order. Here the
cross-topic cases come first on purpose — a registration before its session, a session before
its initiative, a review decision before the registration it follows — so the live model sees
them "too early", and the rebuild must still end in exactly the same figures.
"""

import uuid

import pytest

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from shared.events.scheduling import EditionUpdatedV1, RegistrationCheckedInV1, RegistrationConfirmedV1, SessionPublishedV1
from tests.integration.test_reporting_service import (
    EDITION,
    T0,
    delivery,
    edition,
    initiative_state,
    registration,
    registry_event,
    send,
    session,
    three_figures,
    totals,
)
from tests.platform import Platform, as_role, eventually


@pytest.fixture(scope="module")
async def reporting(infra):
    async with Platform.start(infra, f"ri{uuid.uuid4().hex[:8]}", reporting=(create_app, ReportingSettings)) as p:
        yield p


async def publish_crosswise(p) -> None:
    from datetime import timedelta

    # Facts that refer to others before those others exist on their own topics.
    for n in range(3):
        await send(p, "scheduling.registrations.v1", registration(RegistrationCheckedInV1, n, n, 2, attended=True))
    for n in range(3):
        await send(p, "scheduling.sessions.v1", session(SessionPublishedV1, n, 2))
    for n in range(4):
        review = {"decision": "approved", "comment": None, "decided_at": (T0 + timedelta(days=n + 2)).isoformat(), "curator": "c"}
        await send(p, "registry.initiatives.v1", registry_event("approved", initiative_state(n, 3, "approved", review)))
    await send(p, "notifications.deliveries.v1", delivery(1, "delivered"))
    await send(p, "scheduling.sessions.v1", edition(EditionUpdatedV1, 2))  # the edition last of all
    for n in range(4):
        await send(p, "registry.initiatives.v1", registry_event("registered", initiative_state(n, 1, "submitted")))
    await send(p, "scheduling.registrations.v1", registration(RegistrationConfirmedV1, 0, 0, 1))  # older: nothing
    await send(p, "notifications.deliveries.v1", delivery(1, "sent"))


async def counted(p):
    """Every topic's facts counted live — the deliveries too: their consumer may lag the others (a
    clean-clone run once rebuilt before the live reach figures had them, 23 differences)."""
    if (figures := await three_figures(p)) is None:
        return None
    ti, tp, tr = totals(*figures)
    return (ti["submitted"], ti["approved"], tp["sessions"], tp["attended"], tr["sent"], tr["delivered"]) == (4, 4, 3, 6, 1, 1)


async def test_the_rebuild_equals_the_live_figures_whatever_the_interleaving(reporting):
    await publish_crosswise(reporting)
    await eventually(lambda: counted(reporting), timeout=60, what="reporting to count the crosswise stream")
    r = await reporting.http["reporting"].post("/v1/rebuild", headers=as_role(Role.analyst), timeout=120)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["arrived_during_replay"] == 0  # nothing else writes to this run's topics
    assert body["differences"] == [] and body["equal"] is True
    assert body["rebuilt"] == body["live"]
