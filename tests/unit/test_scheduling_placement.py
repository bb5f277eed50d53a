"""Automatic placement (CP-SAT): it places what fits, spreads themes, and never proposes a conflict."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.scheduling.domain.conflicts import Booking, Mode, Rule, Rules, Venue, Window, conflicts_of
from services.scheduling.domain.placement import Request, booking_of, local_day, propose

ALL_BLOCK = Rules({r: Mode.block for r in Rule})
DAY1 = datetime(2025, 10, 6, 7, tzinfo=UTC)  # 09:00 in Malmö
WINDOW = Window(datetime(2025, 10, 5, 22, tzinfo=UTC), datetime(2025, 10, 8, 22, tzinfo=UTC), timedelta(minutes=15))


def days(n, hours=8):
    return tuple((DAY1 + timedelta(days=i), DAY1 + timedelta(days=i, hours=hours)) for i in range(n))


def test_it_places_every_session_that_fits_without_conflict_and_spreads_themes():
    venues = {"lib": Venue("lib", 40, frozenset({"wheelchair"}), days(3), "rosengard"), "hall": Venue("hall", 200, frozenset(), days(3), "centrum")}
    requests = [
        Request(f"s{i}", timedelta(hours=2), f"org{i % 2}", 30, themes=frozenset({"democracy"}), accessibility=frozenset({"wheelchair"}) if i == 0 else frozenset())
        for i in range(3)
    ]
    proposal = propose(requests, venues, [], WINDOW, time_limit_s=5)
    assert proposal.unplaced == () and proposal.dropped == ()
    by_id = {p.session_id: p for p in proposal.placements}
    assert by_id["s0"].venue_id == "lib"  # the only venue with the promised accessibility
    assert len({local_day(p.starts_at) for p in proposal.placements}) == 3  # one democracy session a day


def test_preferred_days_and_what_cannot_fit():
    venues = {"lib": Venue("lib", 40, frozenset(), days(3), "rosengard")}
    requests = [
        Request("pref", timedelta(hours=1), "a", 20, preferred_days=frozenset({date(2025, 10, 7)})),
        Request("huge", timedelta(hours=1), "b", 500),
        Request("long", timedelta(hours=9), "c", 10),
    ]
    proposal = propose(requests, venues, [], WINDOW, time_limit_s=5)
    assert [p.session_id for p in proposal.placements] == ["pref"]
    assert local_day(proposal.placements[0].starts_at) == date(2025, 10, 7)
    assert set(proposal.unplaced) == {"huge", "long"}


def test_existing_bookings_are_respected():
    venues = {"lib": Venue("lib", 40, frozenset(), ((DAY1, DAY1 + timedelta(hours=3)),), "rosengard")}
    existing = [Booking("old", DAY1, DAY1 + timedelta(hours=1), "x", 10, "lib")]
    proposal = propose([Request("new", timedelta(hours=1), "y", 10)], venues, existing, WINDOW, time_limit_s=5)
    (p,) = proposal.placements
    assert p.starts_at >= DAY1 + timedelta(hours=1, minutes=15)


@st.composite
def instances(draw):
    n_venues = draw(st.integers(1, 3))
    venues = {}
    for v in range(n_venues):
        windows = []
        for d in sorted(draw(st.sets(st.integers(0, 2), min_size=1, max_size=3))):
            start = DAY1 + timedelta(days=d, minutes=30 * draw(st.integers(0, 6)))
            windows.append((start, start + timedelta(minutes=30 * draw(st.integers(2, 16)))))
        venues[f"v{v}"] = Venue(
            f"v{v}",
            draw(st.integers(10, 100)),
            frozenset(draw(st.sets(st.sampled_from(["wheelchair", "hearing_loop"])))),
            tuple(windows),
            draw(st.sampled_from(["rosengard", "centrum"])),
            frozenset(draw(st.sets(st.sampled_from(["sv", "ar"]), max_size=1))),
        )
    existing = []
    for i in range(draw(st.integers(0, 3))):
        v = draw(st.sampled_from(sorted(venues)))
        start = venues[v].availability[0][0] + timedelta(minutes=30 * draw(st.integers(0, 4)))
        existing.append(Booking(f"old{i}", start, start + timedelta(minutes=60), draw(st.sampled_from(["o1", "o2", "o3"])), 10, v))
    requests = [
        Request(
            f"s{i}",
            timedelta(minutes=30 * draw(st.integers(1, 6))),
            draw(st.sampled_from(["o1", "o2", "o3"])),
            draw(st.integers(5, 120)),
            frozenset(draw(st.sets(st.sampled_from(["wheelchair", "hearing_loop"]), max_size=1))),
            frozenset(draw(st.sets(st.sampled_from(["sv", "ar", "en"]), min_size=1, max_size=2))),
            frozenset(draw(st.sets(st.sampled_from(["democracy", "inclusion"]), min_size=1))),
            frozenset(draw(st.sets(st.sampled_from([date(2025, 10, 6), date(2025, 10, 7)]), max_size=1))),
        )
        for i in range(draw(st.integers(1, 7)))
    ]
    return venues, existing, requests


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_no_placement_it_proposes_ever_conflicts(instance):
    venues, existing, requests = instance
    proposal = propose(requests, venues, existing, WINDOW, time_limit_s=2)
    assert proposal.dropped == (), "the solver proposed something the checker refuses"
    by_id = {r.session_id: r for r in requests}
    booked = list(existing)
    placed = [booking_of(by_id[p.session_id], p) for p in proposal.placements]
    for b in placed:
        assert conflicts_of(b, booked + placed, venues, WINDOW, ALL_BLOCK) == []
        venue = venues[b.venue_id]
        langs = by_id[b.session_id].languages
        assert not venue.languages or venue.languages & langs
    assert set(proposal.unplaced) | {p.session_id for p in proposal.placements} == set(by_id)


def test_a_session_needing_what_its_organiser_brings_is_placed_without_a_warning():
    # sign language interpreters and easy-Swedish material come with the organiser, not with the room
    venues = {"lib": Venue("lib", 40, frozenset({"wheelchair_access"}), days(1), "rosengard")}
    req = Request("tolk", timedelta(hours=1), "a", 20, accessibility=frozenset({"sign_language", "easy_swedish", "wheelchair_access"}))
    proposal = propose([req], venues, [], WINDOW, time_limit_s=5)
    assert [p.session_id for p in proposal.placements] == ["tolk"] and proposal.unplaced == ()
    assert conflicts_of(booking_of(req, proposal.placements[0]), [], venues, WINDOW, ALL_BLOCK) == []


def test_a_session_needing_a_venue_feature_no_venue_has_stays_unplaced_naming_it():
    venues = {"lib": Venue("lib", 40, frozenset({"hearing_loop"}), days(2), "rosengard"), "hall": Venue("hall", 200, frozenset(), days(2), "centrum")}
    requests = [
        Request("ramp", timedelta(hours=1), "a", 20, accessibility=frozenset({"wheelchair_access", "sign_language"})),
        Request("huge", timedelta(hours=1), "b", 500),
        Request("long", timedelta(hours=9), "c", 10),
    ]
    proposal = propose(requests, venues, [], WINDOW, time_limit_s=5)
    assert set(proposal.unplaced) == {"ramp", "huge", "long"}
    why = {s: proposal.reasons[s] for s in proposal.unplaced}
    assert why["ramp"].code == "no_venue_has_feature" and "wheelchair_access" in why["ramp"].message and "sign_language" not in why["ramp"].message
    assert why["huge"].code == "no_venue_large_enough" and "200" in why["huge"].message
    assert why["long"].code == "no_free_slot"
