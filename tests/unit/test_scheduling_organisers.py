"""Publishers at scheduling, as pure parts: the registry tells a source's change with its key
hashes (``told``); scheduling's copy takes the newest and turns it into keys by id; an organiser
acts only on its own sessions and sees their counts."""

from datetime import UTC, datetime

from services.registry.domain.sources import NewKey, SourceChange, SourceIn, decide_change, decide_register, decide_revoke, told
from shared.sources import SourceCopies, keys_of
from services.scheduling.domain.organisers import checked_in, may_act_on, with_counts
from shared.auth import Role, hash_key
from shared.decisions import NoChange
from shared.events.sources import SourceChangedV1

NOW = datetime(2026, 12, 1, tzinfo=UTC)
URI = "urn:malmo:source:kf"
REGISTRY = "urn:malmo:oppna:registry"


def registered():
    data = SourceIn(source=URI, kind="administration", name={"sv": "Kulturförvaltningen", "en": "Culture"})
    return told(decide_register(None, data, NewKey("k1", hash_key("om_k1_secret")), NOW), 0, NOW, REGISTRY)


def test_a_change_is_told_with_the_whole_state_the_next_version_and_hashes_only():
    decision = registered()
    [pending] = decision.events
    assert pending.topic == "registry.sources.v1" and pending.key is None, "keyed by the aggregate's id: the source URI"
    event = pending.event
    assert (event["subject"], event["source"], event["type"]) == (URI, REGISTRY, SourceChangedV1.event_type)
    data = SourceChangedV1.model_validate(event["data"])
    assert (data.version, data.active, data.kind) == (1, True, "administration")
    assert [(k.key_id, k.sha256, k.revoked) for k in data.keys] == [("k1", hash_key("om_k1_secret"), False)]
    assert "om_k1_secret" not in str(event)
    revoked = told(decide_revoke(decision.state, "k1", NOW), 1, NOW, REGISTRY)
    assert SourceChangedV1.model_validate(revoked.events[0].event["data"]).keys[0].revoked is True
    again = told(decide_revoke(decision.state, "k1", NOW), 1, NOW, REGISTRY)
    assert again.events[0].event["id"] == revoked.events[0].event["id"], "the same change told again has the same id"
    assert told(decide_change(revoked.state, SourceChange(active=True), NOW), 2, NOW, REGISTRY) == NoChange(), "nothing changed: nothing told"


def copy(version: int, active: bool = True, keys=(("k1", False),)) -> dict:
    return {"source": URI, "version": version, "active": active, "keys": [{"key_id": k, "sha256": hash_key(f"om_{k}_x"), "revoked": r} for k, r in keys]}


def test_a_key_is_revoked_when_it_is_or_its_source_is_inactive():
    assert not keys_of(copy(1))["k1"].revoked
    assert keys_of(copy(1, keys=(("k1", True),)))["k1"].revoked
    stored = keys_of(copy(1, active=False))["k1"]
    assert stored.revoked and stored.principal.role == Role.source and stored.principal.source == URI


async def test_the_copy_keeps_the_newest_version_and_drops_keys_no_longer_told():
    copies = SourceCopies(store=None)
    copies._take(copy(2, keys=(("k1", False), ("k2", False))))
    copies._take(copy(1, keys=(("k1", True),)))  # older: changes nothing
    assert not (await copies.resolve("k1")).revoked and await copies.resolve("k2") is not None
    copies._take(copy(3, keys=(("k2", False),)))
    assert await copies.resolve("k1") is None and await copies.resolve("zz") is None


def test_an_organiser_acts_only_on_its_own_sessions_and_staff_on_all():
    own = {"session_id": "s1", "source": URI}
    assert may_act_on("source", URI, own) and not may_act_on("source", "urn:malmo:source:other", own)
    assert not may_act_on("source", URI, None) and not may_act_on("source", None, own)
    assert may_act_on("scheduler", None, own) and may_act_on("curator", None, None)


def test_the_counts_are_seats_confirmed_waiting_and_checked_in():
    state = {"changed": {"r1": {"status": "confirmed", "attended": True, "version": 2}, "r2": {"status": "cancelled", "attended": False, "version": 2}}}
    assert checked_in(state) == 1 and checked_in({}) == 0
    view = {"session_id": "s1", "capacity": 10, "seats_confirmed": 4, "waitlisted": 2, "_checked_in": 1, "source": URI, "_booking": None}
    row = with_counts(view)
    assert (row["capacity"], row["seats_confirmed"], row["waitlisted"], row["checked_in"]) == (10, 4, 2, 1)
    assert "_booking" not in row and "source" not in row
