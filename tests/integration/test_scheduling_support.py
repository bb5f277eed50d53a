"""Helpers for scheduling's tests: a stamped initiative on the registry's topic, and quick set-ups."""

import uuid
from datetime import UTC, datetime, timedelta

from services.scheduling.settings import SchedulingSettings
from shared.envelope import new_event
from shared.events import initiatives as ev

REGISTRY_SOURCE = "urn:malmo:oppna:registry"
CHECK_IN_OPENS_DAYS_AHEAD = 4


class DoorOpensDaysAhead(SchedulingSettings):
    """Check-in opens four days before a session (in production two hours), so a test's session
    three days away can be checked in now, and one ten days away cannot."""

    check_in_opens_before_minutes: int = CHECK_IN_OPENS_DAYS_AHEAD * 24 * 60


def initiative_event(initiative_id: str, version: int = 1, status: str = "approved", stamped: bool = True, withdrawn: bool = False, rejected: bool = False,
                     source: str = "urn:malmo:source:test", **content):
    now = datetime.now(UTC)
    body = {
        "title": {"sv": f"Samtal {initiative_id[:6]}", "en": f"Talk {initiative_id[:6]}"},
        "summary": {"sv": "Ett samtal.", "en": "A talk."},
        "organizer": {"kind": "civil_society", "name": f"Förening {initiative_id[:6]}"},
        "themes": ["democracy"],
        "origin": "new",
        "districts": ["rosengard"],
        "languages": ["sv", "ar"],
        **content,
    }
    # the approved type where the registry has it (its review workflow), else a registered one carrying "approved"
    model = ev.InitiativeWithdrawalRecordedV1 if withdrawn else getattr(ev, "InitiativeApprovedV1", ev.InitiativeRegisteredV1)
    if rejected:
        model = getattr(ev, "InitiativeRejectedV1", ev.InitiativeRevisedV1)
    data = model(
        initiative_id=initiative_id,
        source=source,
        external_id=f"X-{initiative_id[:8]}",
        revision=version,
        version=version,
        status=status,
        stamped=stamped,
        content=body,
        received_at=now,
        updated_at=now,
    )
    return new_event(data, source=REGISTRY_SOURCE, subject=initiative_id)


async def publish_initiative(kafka, initiative_id: str, **kw) -> None:
    event = initiative_event(initiative_id, **kw)
    await kafka.send("registry.initiatives.v1", event.to_bytes(), key=initiative_id)


def days_ahead(n: int, hour: int = 18) -> datetime:
    """A time ``n`` days from now at ``hour`` UTC, on the hour."""
    return (datetime.now(UTC) + timedelta(days=n)).replace(hour=hour, minute=0, second=0, microsecond=0)


def edition_body(edition_id: str | None = None, first: int = 2, last: int = 20) -> dict:
    start, end = days_ahead(first).date(), days_ahead(last).date()
    body = {
        "name": {"sv": "Öppna Malmö 2025", "en": "Open Malmö 2025"},
        "year": start.year,
        "starts_on": start.isoformat(),
        "ends_on": end.isoformat(),
        "budget_sek": 3_780_000,
    }
    if edition_id:
        body["edition_id"] = edition_id
    return body


def venue_body(name: str = "Rosengårds bibliotek", capacity: int = 100, first: int = 2, last: int = 20, accessibility=("wheelchair",)) -> dict:
    windows = [
        {"starts_at": days_ahead(d, 6).isoformat(), "ends_at": days_ahead(d, 21).isoformat()} for d in range(first, last + 1)
    ]
    return {
        "name": name,
        "address": "Lönngatan 30, Malmö",
        "district": "rosengard",
        "capacity": capacity,
        "accessibility": list(accessibility),
        "availability": windows,
    }


def uid() -> str:
    return uuid.uuid4().hex


async def copied_with_edition_and_venue(http, kafka, initiative_id: str, staff: dict, what: str, venue: dict | None = None, **initiative) -> tuple[dict, dict]:
    """The stamped initiative published and awaited in scheduling's copy (``what`` names the wait), then a
    new edition and venue (``venue_body()`` unless given) made by ``staff``: their bodies as answered."""
    from tests.platform import eventually

    await publish_initiative(kafka, initiative_id, **initiative)

    async def copied():
        return (await http.get(f"/v1/initiatives/{initiative_id}")).status_code == 200

    await eventually(copied, what=what)
    edition = (await http.post("/v1/editions", json=edition_body(), headers=staff)).json()
    venue = (await http.post("/v1/venues", json=venue if venue is not None else venue_body(), headers=staff)).json()
    return edition, venue


async def published_session(http, kafka, capacity: int, source: str = "urn:malmo:source:test") -> dict:
    """A stamped initiative of ``source``'s session (capacity seats, in three days at 16 UTC, an
    hour), its edition published: ``{session_id, edition_id, venue_id, initiative_id}``."""
    from shared.auth import Role
    from tests.platform import as_role

    staff = as_role(Role.scheduler)
    initiative_id = uid()
    edition, venue = await copied_with_edition_and_venue(http, kafka, initiative_id, staff, "the initiative copy", source=source)
    r = await http.post("/v1/sessions", json={"edition_id": edition["edition_id"], "initiative_id": initiative_id, "venue_id": venue["venue_id"],
                        "capacity": capacity, "starts_at": days_ahead(3, 16).isoformat(), "duration_minutes": 60}, headers=staff)
    assert r.status_code == 201, r.text
    assert (await http.post(f"/v1/editions/{edition['edition_id']}/publish", headers=staff)).status_code == 200
    return {"session_id": r.json()["session"]["session_id"], "edition_id": edition["edition_id"], "venue_id": venue["venue_id"], "initiative_id": initiative_id}
