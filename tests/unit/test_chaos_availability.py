"""The chaos run's availability figures: what a reader of its report checks about the public's
requests — the share answered, and how long the answered ones took, with the slow ones listed."""

import time

from chaos.availability import SLOW_S, Tally, check


def test_the_report_gives_shares_latencies_and_the_slow_attempts_with_their_moment():
    tally = Tally(counting=True)
    now = time.monotonic()
    for n in range(99):
        tally.record("programme", 200, sent=now - 0.01 * (n + 1))  # 10 ms … 990 ms
    tally.record("registration", 201, sent=now - (SLOW_S + 2))  # answered, slowly
    tally.record("registration", None, "ReadTimeout", sent=now - 15)  # never answered
    tally.record("registration", 503, sent=now - 0.2)
    figures = tally.figures(away=[])

    assert figures["by_kind"]["programme"] == {"attempts": 99, "answered": 99, "share": 1.0}
    assert figures["by_kind"]["registration"] == {"attempts": 3, "answered": 1, "share": 0.33333}
    assert figures["unanswered"] == {"registration ReadTimeout": 1, "registration 503": 1}
    programme = figures["seconds_answered"]["programme"]
    assert programme["n"] == 99 and 0.49 <= programme["p50"] <= 0.51 and 0.98 <= programme["p99"] <= 1.0
    assert figures["seconds_answered"]["registration"]["n"] == 1  # only answered attempts are timed
    slow = {(kind, outcome): took for _sent, took, kind, outcome in figures["slow"]}
    assert set(slow) == {("registration", "201"), ("registration", "ReadTimeout")}
    assert slow[("registration", "ReadTimeout")] >= 15


def test_the_goal_fails_on_a_shortfall_outside_the_database_outage_only():
    tally = Tally(counting=True)
    for _ in range(999):
        tally.record("programme", 200)
    tally.record("registration", None, "ReadTimeout")
    assert check(tally.figures(away=[])).ok  # 99.9 % answered
    tally.record("registration", None, "ReadTimeout")
    assert not check(tally.figures(away=[])).ok
