"""Session decisions: which event a change emits, and a batch of registrations in one write."""

from datetime import UTC, datetime, timedelta

from services.scheduling.domain import seats, sessions
from services.scheduling.domain.seats import NewRegistration
from shared.refusals import Refused
from shared.decisions import NoChange

NOW = datetime(2025, 10, 1, 12, tzinfo=UTC)
START = NOW + timedelta(days=5)
SRC = "urn:malmo:oppna:scheduling"


def draft(**kw):
    return {
        "session_id": "s1", "edition_id": "e1", "initiative_id": "i1", "source": "urn:x", "title": {"sv": "Samtal"},
        "organizer": {"kind": "other", "name": "O"}, "organizer_key": "urn:x|o", "themes": ["democracy"], "districts": ["rosengard"],
        "languages": ["sv"], "accessibility": [], "starts_at": START.isoformat(), "ends_at": (START + timedelta(hours=2)).isoformat(),
        "venue": {"venue_id": "v1", "name": "Bibliotek", "address": "Gatan 1", "district": "rosengard", "accessibility": []},
        "online_url": None, "capacity": 2, "registration_required": True, "max_party_size": 2, "duration_minutes": 120,
        "preferred_days": [], "status": "scheduled", "published_once": False, "previous_starts_at": None, "cancellation_reason": None,
        **seats.empty_book(), **kw,
    }


def types(decision):
    return [p.event["type"].split(".", 3)[3] for p in decision.events]


def test_schedule_publish_move_and_cancel_emit_their_events():
    d = sessions.decide_save(None, 0, draft(), NOW, SRC)
    assert types(d) == ["session.scheduled.v1"] and d.state["status"] == "scheduled"
    p = sessions.decide_publish(d.state, 1, NOW, SRC)
    assert types(p) == ["session.published.v1"] and p.state["published_once"]
    assert sessions.decide_publish(p.state, 2, NOW, SRC) == NoChange()
    bigger = sessions.decide_save(p.state, 2, {**p.state, "capacity": 10}, NOW, SRC)
    assert types(bigger) == ["session.updated.v1"] and bigger.state["status"] == "published"
    later = (START + timedelta(days=1)).isoformat()
    moved = sessions.decide_save(bigger.state, 3, {**bigger.state, "starts_at": later}, NOW, SRC)
    assert types(moved) == ["session.rescheduled.v1"]
    assert moved.state["status"] == "rescheduled" and moved.state["previous_starts_at"] == START.isoformat()
    gone = sessions.decide_cancel(moved.state, 4, "Sjukdom", NOW, SRC)
    assert types(gone) == ["session.cancelled.v1"] and gone.events[0].event["data"]["cancellation_reason"] == "Sjukdom"
    assert sessions.decide_cancel(gone.state, 5, None, NOW, SRC) == NoChange()
    # event ids follow from the aggregate and its version: a retry publishes the same ids
    again = sessions.decide_cancel(moved.state, 4, "Sjukdom", NOW, SRC)
    assert again.events[0].event["id"] == gone.events[0].event["id"]


def test_a_draft_without_time_emits_nothing_and_cannot_be_published():
    d = sessions.decide_save(None, 0, draft(starts_at=None, ends_at=None, venue=None, status="draft"), NOW, SRC)
    assert d.events == [] and d.state["status"] == "draft"
    refused = sessions.decide_publish(d.state, 1, NOW, SRC)
    assert isinstance(refused, NoChange), "published a draft"
    assert isinstance(refused.outcome, Refused) and refused.outcome.code == "not_scheduled"


def reg(rid, party=1):
    return NewRegistration(rid, party, "sv", "sms", "h", (rid.upper().ljust(6, "X")[:6],))


def test_a_batch_of_registrations_is_one_write_with_each_outcome():
    published = {**draft(), "status": "published", "published_once": True}
    decision = sessions.decide_register(published, 3, [reg("a"), reg("b", 3), reg("c"), reg("d")], NOW, SRC)
    outcomes, taken = decision.outcome.outcomes, decision.outcome.taken
    assert [e["registration_id"] for e in taken] == ["a", "c", "d"], "the new registrations' documents to write"
    assert outcomes[0] == "confirmed" and outcomes[2] == "confirmed" and outcomes[3] == "waitlisted"
    assert isinstance(outcomes[1], Refused) and outcomes[1].field == "party_size"
    assert types(decision) == ["registration.confirmed.v1", "registration.confirmed.v1", "registration.waitlisted.v1", "session.updated.v1"]
    assert decision.events[-1].event["data"]["seats_confirmed"] == 2 and decision.events[-1].event["data"]["waitlisted"] == 1
    keys = {k for p in decision.events[:3] for k in p.event["data"]}
    assert not keys & {"name", "email", "phone"}
    assert len({p.event["id"] for p in decision.events}) == 4
    none = sessions.decide_register(published, 3, [reg("x", 5)], NOW, SRC)
    assert isinstance(none, NoChange) and isinstance(none.outcome.outcomes[0], Refused) and none.outcome.taken == []


def test_more_capacity_promotes_the_waiting_list():
    published = {**draft(), "status": "published", "published_once": True}
    decision = sessions.decide_register(published, 3, [reg("a"), reg("b"), reg("c")], NOW, SRC)
    taken = decision.outcome.taken
    grown = sessions.decide_save(decision.state, 4, {**decision.state, "capacity": 3}, NOW, SRC)
    assert types(grown) == ["session.updated.v1", "registration.promoted.v1"]
    assert seats.current(grown.state, taken[2])["status"] == "confirmed" and grown.events[1].event["data"]["status"] == "confirmed"
