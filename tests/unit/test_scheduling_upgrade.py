"""An old seat book (every registration in the session's document) moved to counters and documents."""

from datetime import UTC, datetime, timedelta

from services.scheduling import seats, upgrade
from services.scheduling.seats import NewRegistration

NOW = datetime(2025, 10, 1, 12, tzinfo=UTC)


def old_entry(status, seq, party=1, version=1, attended=False):
    return {"status": status, "party_size": party, "language": "sv", "channel": "email", "registered_at": NOW.isoformat(),
            "code": f"OLD{seq:03d}", "attended": attended, "version": version, "seq": seq}


def old_session():
    return {
        "session_id": "s1", "status": "published", "registration_required": True, "starts_at": (NOW + timedelta(days=5)).isoformat(),
        "capacity": 3, "max_party_size": 4,
        "registrations": {"a": old_entry("confirmed", 1, party=2, attended=True, version=2), "b": old_entry("cancelled", 2, version=2),
                          "c": old_entry("confirmed", 3), "d": old_entry("waitlisted", 4, party=2), "e": old_entry("waitlisted", 5)},
        "waitlist": ["d", "e"], "next_seq": 6, "idempotency_keys": {"ref-c": "c"},
    }


def test_an_old_seat_book_keeps_its_seats_its_queue_and_its_keys():
    old = old_session()
    docs = {d["registration_id"]: d for d in upgrade.documents_of(old)}
    state = upgrade.upgraded(old)
    assert "registrations" not in state and "idempotency_keys" not in state
    assert state["seats_confirmed"] == 3 and [w["registration_id"] for w in state["waitlist"]] == ["d", "e"]
    assert {rid: seats.current(state, d)["status"] for rid, d in docs.items()} == {
        "a": "confirmed", "b": "cancelled", "c": "confirmed", "d": "waitlisted", "e": "waitlisted"}
    assert docs["a"]["attended"] and docs["a"]["code"] == "OLD001" and docs["c"]["idempotency_ref"] == "ref-c"

    # it goes on as any session: a newcomer queues behind, a cancellation promotes the head
    state, status, new = seats.register(state, NewRegistration("f", 1, "sv", "email", "h", ("XYZXYZ",)), NOW)
    assert status == "waitlisted" and new["seq"] == 6
    state, cancelled, promoted = seats.cancel(state, docs["a"])
    assert cancelled["status"] == "cancelled" and [p["registration_id"] for p in promoted] == ["d"]
    assert state["seats_confirmed"] == 3 and [w["registration_id"] for w in state["waitlist"]] == ["e", "f"]
