"""Duplicate, reordered and stale submissions on Kafka: the same state and events as one clean delivery."""

import json
import uuid

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.platform import as_role, eventually, register_source, service_fixture, submission


registry = service_fixture("registry", create_app, RegistrySettings, "rd")


def revision(source, n):
    return submission(source, "DL-1", revision=n, title={"sv": f"Titel {n}", "en": f"Title {n}"})


def withdrawal(source, n):
    event = submission(source, "DL-1")
    return {**event, "type": "se.malmo.oppna.initiative.withdrawn.v1", "data": {"external_id": "DL-1", "revision": n}}


async def deliver(registry, events) -> tuple[dict, list[dict]]:
    """Send on one key (one partition, in this order); wait until the last one took effect."""
    source = events[0]["source"]
    for e in events:
        await registry.kafka.send("registry.submissions.v1", json.dumps(e).encode(), key="DL-1")
    marker = submission(source, "DL-END")  # after everything else on the same partition
    await registry.kafka.send("registry.submissions.v1", json.dumps(marker).encode(), key="DL-1")

    async def done():
        r = await registry.http["registry"].get("/v1/lookup", params={"source": source, "external_id": "DL-END"}, headers=as_role(Role.curator))
        return r.status_code == 200

    await eventually(done, what="the marker behind the deliveries")
    state = (await registry.http["registry"].get("/v1/lookup", params={"source": source, "external_id": "DL-1"}, headers=as_role(Role.curator))).json()

    def mine(ms):
        return [m for m in ms if m["subject"] == state["initiative_id"]]

    def last_word_told(ms):  # the outbox publishes one initiative's events in order, so all came before
        return any((m["data"]["revision"], m["data"]["status"]) == (state["revision"], state["status"]) for m in mine(ms))

    emitted = mine(await registry.kafka.read("registry.initiatives.v1", until=last_word_told))
    return state, emitted


def stored(state: dict) -> dict:
    """What a user checks of the stored state, without what differs per source or per arrival."""
    # ``version`` counts stored changes, including late revisions kept in the history only.
    keep = ("revision", "version", "status", "stamped", "content")
    return {**{k: state[k] for k in keep}, "history": [(h["revision"], h["kind"], h["applied"]) for h in state["history"]]}


def told(events: list[dict]) -> list[tuple]:
    return [(e["type"], e["data"]["version"], e["data"]["revision"], e["data"]["status"], json.dumps(e["data"]["content"], sort_keys=True)) for e in events]


async def test_duplicates_and_stale_repeats_change_nothing_compared_with_one_clean_delivery(registry):
    clean_source, messy_source = (f"urn:malmo:source:dl-{uuid.uuid4().hex[:6]}" for _ in range(2))
    for s in (clean_source, messy_source):
        await register_source(registry, s)
    clean = [revision(clean_source, 1), revision(clean_source, 2), withdrawal(clean_source, 3)]
    m1, m2, m3 = revision(messy_source, 1), revision(messy_source, 2), withdrawal(messy_source, 3)
    resent_with_new_id = {**revision(messy_source, 2)}
    messy = [m1, m1, m2, m1, resent_with_new_id, m2, m3, m3, revision(messy_source, 2), revision(messy_source, 1)]

    clean_state, clean_events = await deliver(registry, clean)
    messy_state, messy_events = await deliver(registry, messy)
    assert stored(messy_state) == stored(clean_state)
    assert told(messy_events) == told(clean_events)
    assert len(messy_events) == 3 and len({e["id"] for e in messy_events}) == 3, "exactly one event per change"


async def test_reordered_revisions_end_in_the_state_of_the_in_order_delivery_and_never_go_back(registry):
    ordered_source, shuffled_source = (f"urn:malmo:source:dl-{uuid.uuid4().hex[:6]}" for _ in range(2))
    for s in (ordered_source, shuffled_source):
        await register_source(registry, s)
    ordered_state, ordered_events = await deliver(registry, [revision(ordered_source, n) for n in (1, 2, 3, 4)])
    shuffled_state, shuffled_events = await deliver(registry, [revision(shuffled_source, n) for n in (3, 1, 4, 2)])
    for key in ("revision", "status", "stamped", "content"):
        assert shuffled_state[key] == ordered_state[key]
    assert [h["revision"] for h in shuffled_state["history"]] == [1, 2, 3, 4], "every revision kept"
    revisions = [e["data"]["revision"] for e in shuffled_events]
    assert revisions == [3, 4], "late older revisions emit nothing: consumers never see it go back"
    assert told(shuffled_events)[-1][2:] == told(ordered_events)[-1][2:], "the last word is the same"
