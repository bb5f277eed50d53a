"""The debounce of change notices, as a pure decision: one notice per burst, and an edit that
comes again (a redelivery, also after its burst was told) opens nothing new."""

from datetime import UTC, datetime, timedelta

from services.notifications.domain.notices import edited, fired

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
DEBOUNCE = timedelta(seconds=300)


def apply(state, decide):
    decision = decide(state, 0)
    return state if decision is None else decision.state


def test_edits_within_the_debounce_make_one_burst():
    state = apply(None, edited("s1", "sched|e1", "2026-12-01T10:00:00+00:00", NOW, DEBOUNCE))
    state = apply(state, edited("s1", "sched|e2", None, NOW + timedelta(seconds=60), DEBOUNCE))
    assert (state["burst"], state["edits"], state["status"]) == ("sched|e1", 2, "pending")
    assert state["due_at"] == NOW + timedelta(seconds=360)


def test_an_edit_delivered_again_after_its_burst_was_told_opens_no_new_burst():
    state = apply(None, edited("s1", "sched|e1", None, NOW, DEBOUNCE))
    state = apply(state, fired("sched|e1"))
    assert state["status"] == "done"
    again = edited("s1", "sched|e1", None, NOW + timedelta(hours=1), DEBOUNCE)(state, 0)
    assert again is None
    later = apply(state, edited("s1", "sched|e9", None, NOW + timedelta(hours=1), DEBOUNCE))
    assert (later["status"], later["burst"]) == ("pending", "sched|e9")
