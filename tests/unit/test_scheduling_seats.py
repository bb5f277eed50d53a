"""Seats: never overbooked, the waiting list in order, promotion from its head (hypothesis)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.scheduling import seats
from services.scheduling.seats import NewRegistration, Refused

NOW = datetime(2025, 10, 1, 12, tzinfo=UTC)


def session(capacity=5, max_party=4):
    return {
        "status": "published",
        "registration_required": True,
        "starts_at": (NOW + timedelta(days=5)).isoformat(),
        "capacity": capacity,
        "max_party_size": max_party,
        "registrations": {},
        "waitlist": [],
        "next_seq": 1,
    }


def reg(rid, party=1):
    return NewRegistration(rid, party, "sv", "email", "hash", (f"C{rid}"[:6].upper().ljust(6, "X"), "ZZZZZZ"))


def test_confirmed_until_full_then_waitlisted_and_a_cancellation_promotes_the_head():
    s = session(capacity=2)
    statuses = []
    for i in range(4):
        s, st_ = seats.register(s, reg(f"r{i}"), NOW)
        statuses.append(st_)
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert s["waitlist"] == ["r2", "r3"]
    s, promoted = seats.cancel(s, "r0")
    assert promoted == ["r2"] and s["waitlist"] == ["r3"]
    assert seats.cancel(s, "r0") is None  # already cancelled


def test_nobody_overtakes_the_waiting_list():
    s = session(capacity=3)
    s, _ = seats.register(s, reg("big", 3), NOW)
    s, first = seats.register(s, reg("pair", 2), NOW)
    s, second = seats.register(s, reg("single", 1), NOW)
    assert (first, second) == ("waitlisted", "waitlisted")
    s, promoted = seats.cancel(s, "big")
    assert promoted == ["pair", "single"]


def test_refusals_name_the_field():
    with pytest.raises(Refused) as e:
        seats.register(session(max_party=2), reg("r", 3), NOW)
    assert (e.value.status, e.value.field, e.value.code) == (422, "party_size", "too_large")
    past = {**session(), "starts_at": (NOW - timedelta(hours=1)).isoformat()}
    with pytest.raises(Refused) as e:
        seats.register(past, reg("r"), NOW)
    assert e.value.code == "started"


def test_check_in_by_code_records_attendance_once():
    s, _ = seats.register(session(), reg("r1"), NOW)
    code = s["registrations"]["r1"]["code"]
    s, rid = seats.check_in(s, code.lower())
    assert rid == "r1" and s["registrations"]["r1"]["attended"]
    assert seats.check_in(s, code) is None
    with pytest.raises(Refused):
        seats.check_in(s, "NOPE99")


actions = st.lists(
    st.one_of(
        st.tuples(st.just("register"), st.integers(min_value=1, max_value=4)),
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=30)),
    ),
    max_size=60,
)


@settings(max_examples=300)
@given(st.integers(min_value=1, max_value=12), actions)
def test_any_sequence_never_overbooks_and_keeps_the_queue_in_order(capacity, steps):
    s = session(capacity=capacity, max_party=4)
    ids: list[str] = []
    for kind, n in steps:
        if kind == "register":
            rid = f"r{len(ids)}"
            s, _ = seats.register(s, reg(rid, n), NOW)
            ids.append(rid)
        elif ids:
            result = seats.cancel(s, ids[n % len(ids)])
            if result:
                s = result[0]
        taken = seats.seats_taken(s["registrations"])
        assert taken <= capacity
        waiting = s["waitlist"]
        assert all(s["registrations"][r]["status"] == "waitlisted" for r in waiting)
        assert [s["registrations"][r]["seq"] for r in waiting] == sorted(s["registrations"][r]["seq"] for r in waiting)
        assert {r for r, e in s["registrations"].items() if e["status"] == "waitlisted"} == set(waiting)
        # the head would not fit (otherwise it would have been promoted)
        if waiting:
            assert s["registrations"][waiting[0]]["party_size"] > capacity - taken


def test_a_keyed_repeat_takes_no_second_seat_and_another_body_under_the_key_is_refused():
    keyed = NewRegistration("r1", 1, "sv", "email", "hash", ("AAAAAA",), idempotency_ref="k1")
    s, status = seats.register(session(capacity=1), keyed, NOW)
    assert status == "confirmed" and s["idempotency_keys"] == {"k1": "r1"}
    again, repeat = seats.register(s, keyed, NOW + timedelta(days=10))  # even once the session has started
    assert repeat == seats.REPEAT and again is s
    with pytest.raises(Refused) as refused:
        seats.register(s, NewRegistration("r2", 1, "sv", "email", "hash", ("BBBBBB",), idempotency_ref="k1"), NOW)
    assert refused.value.code == "key_reused" and refused.value.field == "Idempotency-Key"


def test_a_keyed_identity_is_the_same_for_the_same_key_and_body_and_differs_otherwise():
    from services.scheduling.registrations import fingerprint, keyed_identity

    contact = {"name": "A", "email": "a@example.org", "phone": None}
    body = fingerprint("s1", contact, 1, "sv")
    rid, secret, ref = keyed_identity("s1", "key", body)
    assert keyed_identity("s1", "key", body) == (rid, secret, ref) and len(rid) == 32 and len(secret) == 32
    other_rid, other_secret, same_ref = keyed_identity("s1", "key", fingerprint("s1", {**contact, "name": "B"}, 1, "sv"))
    assert same_ref == ref and other_rid != rid and other_secret != secret
    assert keyed_identity("s2", "key", body)[2] != ref, "a key is scoped to its session"
    assert "key" not in ref and secret not in ref
