"""With every service running: a stamped initiative becomes a published session with a registration,
and every event scheduling publishes parses against its shared contract."""

import json

from shared.auth import Role
from shared.envelope import parse_data, parse_envelope
from shared.events.scheduling import REGISTRATION_EVENTS, SESSION_EVENTS, RegistrationContactRecordedV1
from tests.integration.test_scheduling_support import copied_with_edition_and_venue, days_ahead, uid
from tests.platform import as_role

STAFF = as_role(Role.scheduler)
MODELS = {m.event_type: m for m in (*SESSION_EVENTS, *REGISTRATION_EVENTS, RegistrationContactRecordedV1)}


async def test_a_stamped_initiative_is_scheduled_published_and_registered_for(platform):
    http = platform.http["scheduling"]
    initiative_id = uid()
    edition, venue = await copied_with_edition_and_venue(http, platform.kafka, initiative_id, STAFF, "scheduling's copy of the stamped initiative")
    created = await http.post(
        "/v1/sessions",
        json={"edition_id": edition["edition_id"], "initiative_id": initiative_id, "venue_id": venue["venue_id"], "capacity": 1,
              "starts_at": days_ahead(3, 16).isoformat(), "duration_minutes": 90},
        headers=STAFF,
    )
    assert created.status_code == 201, created.text
    sid = created.json()["session"]["session_id"]
    assert (await http.post(f"/v1/editions/{edition['edition_id']}/publish", headers=STAFF)).status_code == 200
    first = (await http.post(f"/v1/sessions/{sid}/registrations", json={"name": "A", "email": "a@example.org", "language": "en"})).json()
    second = (await http.post(f"/v1/sessions/{sid}/registrations", json={"name": "B", "phone": "0701234567"})).json()
    assert (first["status"], second["status"]) == ("confirmed", "waitlisted")
    assert (await http.delete(f"/v1/registrations/{first['token']}")).json()["status"] == "cancelled"
    assert (await http.get(f"/v1/registrations/{second['token']}")).json()["status"] == "confirmed"

    sessions = await platform.kafka.read("scheduling.sessions.v1", until=lambda ms: sum(m["subject"] == sid for m in ms) >= 2)
    regs = await platform.kafka.read(
        "scheduling.registrations.v1", until=lambda ms: {m["type"].rsplit(".", 2)[-2] for m in ms if m["data"].get("session_id") == sid} >= {"confirmed", "waitlisted", "cancelled", "promoted"}
    )
    mine = [m for m in sessions if m["subject"] in (sid, edition["edition_id"])] + [m for m in regs if m["data"].get("session_id") == sid]
    for message in mine:
        envelope = parse_envelope(json.dumps(message))
        parse_data(envelope, MODELS[envelope.type])  # strict enough to fail on a contract drift
        assert envelope.source == "urn:malmo:oppna:scheduling"
    assert [m["type"] for m in sessions if m["subject"] == sid][:2] == ["se.malmo.oppna.session.scheduled.v1", "se.malmo.oppna.session.published.v1"]
    promoted = [m for m in regs if m["type"].endswith("registration.promoted.v1") and m["subject"] == second["registration_id"]]
    assert promoted and promoted[0]["data"].get("waitlist_position") is None
