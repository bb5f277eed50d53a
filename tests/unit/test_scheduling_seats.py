"""Seats: never overbooked, the waiting list in order, promotion from its head (hypothesis)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.scheduling.domain import seats
from services.scheduling.domain.seats import NewRegistration
from shared.refusals import Refused

NOW = datetime(2025, 10, 1, 12, tzinfo=UTC)


def session(capacity=5, max_party=4):
    return {
        "session_id": "s1",
        "status": "published",
        "registration_required": True,
        "starts_at": (NOW + timedelta(days=5)).isoformat(),
        "capacity": capacity,
        "max_party_size": max_party,
        **seats.empty_book(),
    }


def reg(rid, party=1):
    return NewRegistration(rid, party, "sv", "email", "hash", (f"C{rid}"[:6].upper().ljust(6, "X"), "ZZZZZZ"))


class Book:
    """A session's state and its registrations' documents, as the service keeps them (the
    documents by id, written once each as ``register`` returns them)."""

    def __init__(self, state):
        self.state, self.docs = state, {}

    def register(self, new):
        self.state, status, entry = seats.register(self.state, new, NOW)
        if entry is not None:
            self.docs[entry["registration_id"]] = entry
        return status

    def cancel(self, rid):
        result = seats.cancel(self.state, self.docs[rid])
        if result is None:
            return None
        self.state = result[0]
        return [p["registration_id"] for p in result[2]]

    def now(self, rid):
        return seats.current(self.state, self.docs[rid])

    def waiting(self):
        return [w["registration_id"] for w in self.state["waitlist"]]


def test_confirmed_until_full_then_waitlisted_and_a_cancellation_promotes_the_head():
    b = Book(session(capacity=2))
    statuses = [b.register(reg(f"r{i}")) for i in range(4)]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert b.waiting() == ["r2", "r3"]
    assert b.cancel("r0") == ["r2"] and b.waiting() == ["r3"]
    assert b.now("r0")["status"] == "cancelled" and b.now("r2")["status"] == "confirmed" and b.now("r2")["version"] == 2
    assert b.cancel("r0") is None  # already cancelled


def test_nobody_overtakes_the_waiting_list():
    b = Book(session(capacity=3))
    b.register(reg("big", 3))
    first, second = b.register(reg("pair", 2)), b.register(reg("single", 1))
    assert (first, second) == ("waitlisted", "waitlisted")
    assert b.cancel("big") == ["pair", "single"]


def test_refusals_name_the_field():
    with pytest.raises(Refused) as e:
        seats.register(session(max_party=2), reg("r", 3), NOW)
    assert (e.value.status, e.value.field, e.value.code) == (409, "party_size", "too_large")
    past = {**session(), "starts_at": (NOW - timedelta(hours=1)).isoformat()}
    with pytest.raises(Refused) as e:
        seats.register(past, reg("r"), NOW)
    assert e.value.code == "started"


def test_check_in_records_attendance_once_and_only_of_a_confirmed_registration():
    b = Book(session(capacity=1))
    b.register(reg("r1"))
    b.register(reg("r2"))
    state, checked_in = seats.check_in(b.state, b.docs["r1"])
    assert checked_in["attended"] and seats.current(state, b.docs["r1"])["attended"]
    assert seats.check_in(state, b.docs["r1"]) is None
    with pytest.raises(Refused) as e:
        seats.check_in(state, b.docs["r2"])
    assert e.value.code == "waitlisted"
    with pytest.raises(Refused) as e:
        seats.check_in(state, None)  # no registration has the code given
    assert e.value.code == "not_found"


def test_codes_are_unique_in_a_session_even_from_the_same_random_letters():
    b = Book(session(capacity=2000))
    for i in range(1500):
        b.register(NewRegistration(f"r{i}", 1, "sv", "email", "hash", ("AAAAAA",)))
    codes = [d["code"] for d in b.docs.values()]
    assert len(set(codes)) == 1500 and all(len(c) == 6 and set(c) <= set(seats.CODE_ALPHABET) for c in codes)
    assert seats.code_for(40_000, "ABC") != seats.code_for(40_000 % 32_768, "ABC")


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
    b = Book(session(capacity=capacity, max_party=4))
    ids: list[str] = []
    for kind, n in steps:
        if kind == "register":
            rid = f"r{len(ids)}"
            b.register(reg(rid, n))
            ids.append(rid)
        elif ids:
            b.cancel(ids[n % len(ids)])
        now = {rid: b.now(rid) for rid in ids}
        taken = sum(r["party_size"] for r in now.values() if r["status"] == "confirmed")
        assert taken <= capacity and b.state["seats_confirmed"] == taken, "the counter is the seats the registrations hold"
        waiting = b.waiting()
        assert [now[r]["seq"] for r in waiting] == sorted(now[r]["seq"] for r in waiting)
        assert {r for r, e in now.items() if e["status"] == "waitlisted"} == set(waiting)
        # the head would not fit (otherwise it would have been promoted)
        if waiting:
            assert now[waiting[0]]["party_size"] > capacity - taken


def test_a_keyed_repeat_takes_no_second_seat_and_another_body_under_the_key_is_refused():
    keyed = NewRegistration("r1", 1, "sv", "email", "hash", ("AAAAAA",), idempotency_ref="k1")
    s, status, entry = seats.register(session(capacity=1), keyed, NOW)
    assert status == "confirmed" and entry["idempotency_ref"] == "k1"
    # the key found on the registration it took (the caller looks it up by the key's ref)
    again, repeat, none = seats.register(s, keyed, NOW + timedelta(days=10), taken_under_key="r1")  # even once the session has started
    assert repeat == seats.REPEAT and again is s and none is None
    with pytest.raises(Refused) as refused:
        seats.register(s, NewRegistration("r2", 1, "sv", "email", "hash", ("BBBBBB",), idempotency_ref="k1"), NOW, taken_under_key="r1")
    assert refused.value.code == "key_reused" and refused.value.field == "Idempotency-Key"


def test_a_keyed_identity_is_the_same_for_the_same_key_and_body_and_differs_otherwise():
    from services.scheduling.domain.identity import fingerprint, keyed_identity

    contact = {"name": "A", "email": "a@example.org", "phone": None}
    body = fingerprint("s1", contact, 1, "sv")
    rid, secret, ref = keyed_identity("s1", "key", body)
    assert keyed_identity("s1", "key", body) == (rid, secret, ref) and len(rid) == 32 and len(secret) == 32
    other_rid, other_secret, same_ref = keyed_identity("s1", "key", fingerprint("s1", {**contact, "name": "B"}, 1, "sv"))
    assert same_ref == ref and other_rid != rid and other_secret != secret
    assert keyed_identity("s2", "key", body)[2] != ref, "a key is scoped to its session"
    assert "key" not in ref and secret not in ref
