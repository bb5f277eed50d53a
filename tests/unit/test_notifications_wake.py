"""Which time buckets the timer asks for (``wake.cover``) and which a message sits in (``wake.lift``)."""

from datetime import UTC, datetime, timedelta

from services.notifications.adapters import wake

T = datetime(2026, 11, 29, 3, 17, 42, 500_000, tzinfo=UTC)


def _seconds(key: str) -> range:
    name, number = key.split(":")
    size = dict((n, s) for s, n in wake.SIZES)[name]
    return range(int(number) * size, (int(number) + 1) * size)


def test_cover_asks_for_every_second_before_high_once_and_no_other():
    for low, high in ((0, 1), (17, 17), (1_764_382_662, 1_764_386_262), (1_730_000_001, 1_764_386_262), (86_399, 86_401)):
        covered = [s for key, _end in wake.cover(low, high) for s in _seconds(key)]
        assert covered == list(range(low, high))


def test_a_long_span_is_a_few_dozen_questions():
    high = int(T.timestamp())  # at worst ~9 buckets per level each way
    assert len(list(wake.cover(high - 400 * 86400, high))) < 250
    assert len(list(wake.cover(high - 3600, high))) < 60


def test_a_waiting_message_is_in_the_buckets_holding_its_time_and_a_finished_one_in_none():
    keys = wake.lift({"status": "scheduled", "due_at": T})["wake"]
    assert all(key.startswith("scheduled|") and int(T.timestamp()) in _seconds(key.split("|")[1]) for key in keys)
    assert len(keys) == len(wake.SIZES)
    sending = wake.lift({"status": "sending", "sending_since": T - timedelta(minutes=1), "created_at": T})["wake"]
    assert all(key.startswith("sending|") and int(T.timestamp()) - 60 in _seconds(key.split("|")[1]) for key in sending)
    for status in ("sent", "delivered", "failed", "expired", "cancelled"):
        assert wake.lift({"status": status, "due_at": T}) == {}
