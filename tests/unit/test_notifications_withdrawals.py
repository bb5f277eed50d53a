"""Who a cancellation reaches: the open watches of its session, and the waiting messages' lifted field."""

from datetime import UTC, datetime

from services.notifications.adapters import messages as store
from services.notifications.domain import messages as m
from services.notifications.domain.pages import page_state
from services.notifications.usecases import withdrawals
from services.notifications.usecases.withdrawals import Withdrawals

NOW = datetime(2026, 12, 5, 21, 0, tzinfo=UTC)


def test_a_cancellation_reaches_the_watches_open_on_its_session_only():
    w = Withdrawals()
    assert w.tell("s1", "r0") == 0, "told before any watch opened"
    with w.watch("s1") as one, w.watch("s1") as two, w.watch("s2") as other:
        assert w.tell("s1", "r1") == 2
        assert one.withdrawn("registration", "r1") and two.withdrawn("registration", "r1")
        assert not other.withdrawn("registration", "r1")
        assert not one.withdrawn("subscription", "r1"), "only a registrant's messages"
    assert w.tell("s1", "r2") == 0, "a finished fan-out is no longer told"


def test_a_watch_opens_knowing_the_cancellations_told_lately(monkeypatch):
    """Replicas: the copy that the fan-out reads may be written by another replica after this one was
    told and its watch read the copy, so a watch opens with what was told in the last ``KEEP_S``."""
    clock = [1000.0]
    monkeypatch.setattr(withdrawals.time, "monotonic", lambda: clock[0])
    w = Withdrawals()
    w.tell("s1", "r0")
    with w.watch("s1") as late, w.watch("s2") as other:
        assert late.withdrawn("registration", "r0") and not other.withdrawn("registration", "r0")
    clock[0] += withdrawals.KEEP_S + 1
    w.tell("s2", "r9")  # telling forgets what is older than KEEP_S
    with w.watch("s1") as much_later:
        assert not much_later.withdrawn("registration", "r0")


def _message(status: str, kind: str = "registration") -> dict:
    return {"status": status, "recipient": {"kind": kind, "key": f"{kind}:r1"}, "due_at": NOW, "created_at": NOW}


def _page(*messages: dict) -> dict:
    return dict(page_state("p1", None, {f"m{n}": message for n, message in enumerate(messages)}))


def test_a_registrants_message_carries_its_registration_while_it_waits_only():
    assert store.lift(_page(_message("scheduled")))[store.WAITING_FOR] == ["r1"]
    for status in ("sending", "sent", "cancelled", "failed"):
        assert store.WAITING_FOR not in store.lift(_page(_message(status))), status
    assert store.WAITING_FOR not in store.lift(_page(_message("scheduled", "subscription")))
    assert store.lift(_page(_message("sent"), _message("scheduled")))[store.WAITING_FOR] == ["r1"], "a page: while one of its messages waits"


def test_only_a_waiting_message_is_withdrawn():
    ended = m.withdrawn(NOW, "registration_cancelled")(_message("scheduled"), 1)
    assert (ended.state["status"], ended.state["cancelled_because"]) == ("cancelled", "registration_cancelled")
    assert ended.events == [], "not counted: it was never handed over"
    for status in ("sending", "sent", "cancelled"):
        assert m.withdrawn(NOW, "registration_cancelled")(_message(status), 1) is None, status
