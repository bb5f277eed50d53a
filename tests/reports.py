"""Outcome reports in tests: a publisher's stamped initiative whose first session has begun (told to
the registry on scheduling.sessions.v1, as scheduling would), ready for a report."""

import uuid
from datetime import UTC, datetime, timedelta

from shared.auth import Role
from shared.envelope import new_event
from shared.events.scheduling import SessionPublishedV1
from tests.platform import RawKafka, as_role, as_source, eventually, register_source, submission

CURATOR = as_role(Role.curator)


async def held_initiative(http, infra, topic_prefix: str, external_id: str, name: str = "Föreningen Ljus") -> tuple[str, str, str]:
    """(source URI, its key, initiative id): registered, submitted, approved, and its first session
    begun an hour ago — once the registry has copied the session (a report is then taken)."""
    uri = f"urn:malmo:source:rc-{uuid.uuid4().hex[:6]}"
    key = await register_source(http, uri, kind="civil_society", name=name)
    r = await http.post("/v1/submissions", json=submission(uri, external_id), headers=as_source(key))
    iid = r.json()["initiative_id"]
    for decision in ("in_review", "approved"):
        await http.post(f"/v1/initiatives/{iid}/review", json={"decision": decision, "comment": "ok"}, headers=CURATOR)
    sid, starts = f"s-{uuid.uuid4().hex[:8]}", datetime.now(UTC) - timedelta(hours=1)
    data = SessionPublishedV1(session_id=sid, version=1, edition_id="ed", initiative_id=iid, source=uri, title={"sv": "Samtal"},
                              organizer={"kind": "civil_society", "name": name}, themes=["democracy"], languages=["sv"], starts_at=starts,
                              ends_at=starts + timedelta(hours=2), capacity=30, registration_required=True, status="published")
    async with RawKafka(infra.kafka, topic_prefix) as kafka:
        await kafka.send("scheduling.sessions.v1", new_event(data, source="urn:malmo:oppna:scheduling", subject=sid).to_bytes(), key=sid)

    probe = {"what_happened": {"sv": "–"}, "participants": 0, "spent_sek": 0, "districts": ["no_such_district"], "revision": 1}

    async def copied():  # refused for its code (nothing kept), no longer for want of a session: the copy is there
        r = await http.post(f"/v1/initiatives/{iid}/report", json=probe, headers=as_source(key))
        return True if r.status_code == 422 else None

    await eventually(copied, what="the registry to copy the initiative's first session")
    return uri, key, iid
