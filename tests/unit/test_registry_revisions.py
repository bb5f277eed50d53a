"""The registry's revision rule, as a pure function: any arrival order, any duplicates."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from services.registry.domain import initiatives
from shared.decisions import Decision, NoChange
from shared.events.initiatives import InitiativeSubmittedV1, InitiativeWithdrawnV1
from tests.platform import submission

NOW = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
SOURCE = "urn:malmo:source:kf"


def sub(revision: int, title: str | None = None) -> InitiativeSubmittedV1:
    data = submission(SOURCE, "KF-1", revision=revision)["data"]
    if title:
        data["title"] = {"sv": title}
    return InitiativeSubmittedV1.model_validate(data)


def apply(state, version, data, n: int):
    received = initiatives.Received(SOURCE, f"e-{n}", "kafka")
    if isinstance(data, InitiativeWithdrawnV1):
        return initiatives.decide_withdrawal(state, version, data, received, NOW, "urn:malmo:oppna:registry")
    return initiatives.decide_submission(state, version, data, received, NOW, "urn:malmo:oppna:registry")


def run(commands, topic="registry.initiatives.v1"):
    """The final state and the events told on ``topic``."""
    state, version, events = None, 0, []
    for n, c in enumerate(commands):
        d = apply(state, version, c, n)
        if isinstance(d, Decision):
            state, version = d.state, version + 1
            events.extend(e for e in d.events if e.topic == topic)
    return state, events


def test_the_contact_is_told_only_on_registry_contacts_when_registered_and_when_it_changes():
    email = {"name": "Programansvarig", "email": "program@example.org"}
    commands = [sub(1), sub(2, "Ny titel"), InitiativeSubmittedV1.model_validate(submission("urn:malmo:source:kf", "KF-1", revision=3, contact={**email, "email": "ny@example.org"})["data"])]
    _, on_initiatives = run(commands)
    assert len(on_initiatives) == 3 and all("contact" not in e.event["data"]["content"] for e in on_initiatives)
    _, on_contacts = run(commands, "registry.contacts.v1")
    assert [(e.event["data"]["version"], e.event["data"]["contact"]["email"]) for e in on_contacts] == [(1, "program@example.org"), (3, "ny@example.org")]
    assert len({e.event["id"] for e in on_contacts + on_initiatives}) == 5, "a contact event has an id of its own"


def test_first_revision_registers_and_a_newer_one_revises():
    state, events = run([sub(1), sub(2, "Ny titel")])
    assert [e.event["type"] for e in events] == ["se.malmo.oppna.initiative.registered.v1", "se.malmo.oppna.initiative.revised.v1"]
    assert state["revision"] == 2 and state["content"]["title"]["sv"] == "Ny titel"
    assert events[1].event["data"]["version"] == 2 and "history" not in events[1].event["data"]


def test_a_repeated_revision_changes_nothing():
    state, _ = run([sub(1)])
    assert apply(state, 1, sub(1), 9) == NoChange()


def test_a_late_older_revision_is_kept_in_history_but_changes_nothing_current():
    state, events = run([sub(1), sub(3, "Tre"), sub(2, "Två")])
    assert state["revision"] == 3 and state["content"]["title"]["sv"] == "Tre"
    assert [(h["revision"], h["applied"]) for h in state["history"]] == [(1, True), (2, False), (3, True)]
    assert len(events) == 2


def test_a_withdrawal_wins_over_older_revisions_and_a_newer_one_resubmits():
    withdrawn = InitiativeWithdrawnV1(external_id="KF-1", revision=3)
    state, events = run([sub(1), withdrawn, sub(2)])
    assert state["status"] == "withdrawn" and state["revision"] == 3
    assert events[-1].event["type"] == "se.malmo.oppna.initiative.withdrawal_recorded.v1"
    state, _ = run([sub(1), withdrawn, sub(2), sub(4)])
    assert state["status"] == "submitted" and state["revision"] == 4


def test_event_ids_follow_the_aggregate_version_so_a_retry_emits_the_same_event():
    _, first = run([sub(1)])
    _, again = run([sub(1)])
    assert first[0].event["id"] == again[0].event["id"]


@given(st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=60))
def test_any_arrival_order_ends_at_the_highest_revision_with_each_revision_once(revisions):
    state, events = run([sub(r) for r in revisions])
    assert state["revision"] == max(revisions)
    assert [h["revision"] for h in state["history"]] == sorted(set(revisions))
    # Emitted revisions only grow: a consumer never sees the initiative go back.
    emitted = [e.event["data"]["revision"] for e in events]
    assert emitted == sorted(set(emitted)) and emitted[-1] == max(revisions)
