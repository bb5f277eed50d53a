"""A fan-out's page keeps what its messages hold alike once, and gives each message back whole."""

from datetime import UTC, datetime, timedelta

from services.notifications.domain import messages as m
from services.notifications.domain.messages import NewMessage, created
from services.notifications.domain.pages import if_absent, items_changed, items_of, page_state, without_recipients

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)


def _messages(n: int) -> dict:
    news = [NewMessage("change|s1|e1", "email" if i % 4 else "sms", "session_changed", "sv", "registration", f"r{i}",
                       {"session_id": "s1", "registration_id": f"r{i}"}, NOW, NOW + timedelta(days=3), "ed") for i in range(n)]
    return {x.message_id: created(x, NOW) for x in news}


def test_a_page_gives_each_message_back_whole_and_keeps_the_shared_fields_once():
    messages = _messages(5)
    page = page_state("p1", "change|s1|e1", messages)
    assert items_of(page) == messages
    assert {"cause", "category", "due_at", "status"} <= set(page["common"])
    assert all("recipient" in fields and "cause" not in fields for fields in page["items"].values())
    assert items_of(page_state("p1", None, dict(list(messages.items())[:1]))) == dict(list(messages.items())[:1]), "a page of one"


def test_a_pages_change_is_each_messages_decision_and_a_repeat_makes_nothing_twice():
    messages = _messages(3)
    made = items_changed({mid: if_absent(state) for mid, state in messages.items()}, "p1", "change|s1|e1")(None, 0)
    assert made.outcome == messages and items_of(made.state) == messages
    again = items_changed({mid: if_absent(state) for mid, state in messages.items()}, "p1", "change|s1|e1")(made.state, 1)
    assert again.outcome == {}, "the messages exist: nothing is made again"
    first = next(iter(messages))
    sent = items_changed({first: m.to_status("expired", NOW, "urn:test")}, "p1")(made.state, 1)
    assert list(sent.outcome) == [first] and items_of(sent.state)[first]["status"] == "expired"
    assert [s["status"] for mid, s in items_of(sent.state).items() if mid != first] == ["scheduled", "scheduled"]


def test_an_erasure_takes_a_recipients_messages_out_of_the_page():
    messages = _messages(3)
    page = page_state("p1", "change|s1|e1", messages)
    gone = without_recipients({"registration:r1"})(dict(page), 2)
    assert gone.outcome == 1 and {s["recipient"]["key"] for s in items_of(gone.state).values()} == {"registration:r0", "registration:r2"}
    assert without_recipients({"registration:r9"})(dict(page), 2).outcome == 0


def test_a_message_in_a_page_keeps_only_its_own_fields_and_entries():
    messages = _messages(4)
    page = page_state("p1", "change|s1|e1", messages)
    assert page["common"]["recipient"] == {"kind": "registration"} and page["common"]["context"] == {"session_id": "s1"}
    for mid, fields in page["items"].items():
        assert "message_id" not in fields, "its id is its key in the page"
        assert set(fields) == {"channel", "recipient", "context"} and fields["recipient"] == {"key": messages[mid]["recipient"]["key"]}
        assert fields["context"] == {"registration_id": messages[mid]["context"]["registration_id"]}
    assert items_of(page) == messages
