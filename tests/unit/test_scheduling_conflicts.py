"""The conflict check, rule by rule, and against a brute-force reading of each rule (hypothesis)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.scheduling.domain.conflicts import Booking, Mode, Rule, Rules, Venue, Window, conflicts_of

T0 = datetime(2025, 10, 6, 8, tzinfo=UTC)
WINDOW = Window(datetime(2025, 10, 5, 22, tzinfo=UTC), datetime(2025, 10, 19, 22, tzinfo=UTC), timedelta(minutes=15))
HALL = Venue("hall", 50, frozenset({"wheelchair"}), ((T0, T0 + timedelta(hours=12)),), "rosengard")
VENUES = {"hall": HALL}


def b(sid, start_h, end_h, venue="hall", org="org-a", cap=30, acc=()):
    return Booking(sid, T0 + timedelta(hours=start_h), T0 + timedelta(hours=end_h), org, cap, venue, frozenset(acc))


def rules_of(found):
    return sorted(c.rule.value for c in found)


def test_a_clean_booking_has_no_conflict():
    assert conflicts_of(b("s1", 1, 2), [b("s2", 3, 4, org="org-b")], VENUES, WINDOW) == []


def test_double_booking_at_a_venue_counts_the_changeover_buffer():
    other = b("s2", 2, 3, org="org-b")
    assert rules_of(conflicts_of(b("s1", 1, 2), [other], VENUES, WINDOW)) == ["venue_double_booked"]
    far_enough = Booking("s1", T0 + timedelta(hours=1), T0 + timedelta(hours=2) - timedelta(minutes=15), "org-a", 30, "hall")
    assert conflicts_of(far_enough, [other], VENUES, WINDOW) == []


def test_every_rule_names_its_reason_and_the_other_session():
    found = conflicts_of(b("s1", 11, 13, cap=80, acc=("hearing_loop",)), [b("s2", 11, 12)], VENUES, WINDOW)
    assert rules_of(found) == sorted(
        ["outside_venue_availability", "capacity_exceeds_venue", "accessibility_missing", "venue_double_booked", "organizer_double_booked"]
    )
    assert all(c.message for c in found)
    assert {c.other_session_id for c in found if c.rule in (Rule.venue_double_booked, Rule.organizer_double_booked)} == {"s2"}


def test_outside_the_edition_and_online_sessions():
    online = Booking("s1", WINDOW.ends_at, WINDOW.ends_at + timedelta(hours=1), "org-a", 500, None)
    assert rules_of(conflicts_of(online, [], VENUES, WINDOW)) == ["outside_edition"]


def test_curators_choose_block_or_warn_per_rule():
    found = conflicts_of(b("s1", 1, 2, acc=("hearing_loop",)), [], VENUES, WINDOW)
    assert [c.mode for c in found] == [Mode.warn]  # accessibility warns by default
    strict = Rules({Rule.accessibility_missing: Mode.block})
    assert [c.mode for c in conflicts_of(b("s1", 1, 2, acc=("hearing_loop",)), [], VENUES, WINDOW, strict)] == [Mode.block]


minutes = st.integers(min_value=0, max_value=24 * 60)


@st.composite
def bookings(draw, sid):
    start = draw(minutes)
    length = draw(st.integers(min_value=15, max_value=240))
    return Booking(
        sid,
        T0 + timedelta(minutes=start),
        T0 + timedelta(minutes=start + length),
        draw(st.sampled_from(["org-a", "org-b"])),
        draw(st.integers(min_value=1, max_value=80)),
        draw(st.sampled_from(["hall", None])),
        frozenset(draw(st.sets(st.sampled_from(["wheelchair", "hearing_loop"])))),
    )


@settings(max_examples=300)
@given(bookings("a"), bookings("b"))
def test_pairwise_rules_agree_with_a_minute_by_minute_reading(a, other):
    found = {c.rule for c in conflicts_of(a, [other], VENUES, WINDOW)}
    step = timedelta(minutes=1)

    def minutes_of(x, pad=timedelta(0)):
        out, t = set(), x.starts_at
        while t < x.ends_at + pad:
            out.add(t)
            t += step
        return out

    shares_venue = a.venue_id is not None and a.venue_id == other.venue_id
    # with a buffer, one side's padded minutes must meet the other's
    close = bool(minutes_of(a, WINDOW.changeover) & minutes_of(other)) or bool(minutes_of(other, WINDOW.changeover) & minutes_of(a))
    assert (Rule.venue_double_booked in found) == (shares_venue and close)
    assert (Rule.organizer_double_booked in found) == (a.organizer == other.organizer and bool(minutes_of(a) & minutes_of(other)))
    if a.venue_id:
        assert (Rule.capacity_exceeds_venue in found) == (a.capacity > HALL.capacity)
        assert (Rule.accessibility_missing in found) == (not a.accessibility <= HALL.accessibility)
    else:
        assert not found & {Rule.capacity_exceeds_venue, Rule.accessibility_missing, Rule.outside_venue_availability}


def test_what_the_organiser_brings_is_never_missing_from_a_venue():
    found = conflicts_of(b("s1", 1, 2, acc=("sign_language", "easy_swedish", "captioning", "audio_description")), [], VENUES, WINDOW)
    assert found == []
    lacking = conflicts_of(b("s1", 1, 2, acc=("sign_language", "hearing_loop")), [], VENUES, WINDOW)
    assert [c.rule for c in lacking] == [Rule.accessibility_missing] and "hearing_loop" in lacking[0].message and "sign_language" not in lacking[0].message
