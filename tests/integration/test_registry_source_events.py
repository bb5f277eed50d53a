"""The registry tells each publisher's whole state on registry.sources.v1 (keyed by its URI), in
the same write as the change: registered, a key added, a key revoked, deactivated, reactivated —
its keys as SHA-256 only, never a key."""

import uuid

from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role, hash_key, key_id_of
from tests.platform import as_role, register_source, service_fixture

CURATOR = as_role(Role.curator)

registry = service_fixture("registry", create_app, RegistrySettings, "rse")


async def told(registry, source: str, n: int) -> list[dict]:
    """The first ``n`` events of ``source`` on the topic, in order (with their Kafka keys)."""
    def of(messages):
        return [m for m in messages if m["_key"] == source]

    return of(await registry.kafka.read("registry.sources.v1", lambda ms: len(of(ms)) >= n, keys=True))[:n]


async def test_every_change_of_a_source_is_told_with_its_whole_state_and_key_hashes_only(registry):
    http = registry.http["registry"]
    source = f"urn:malmo:source:rse-{uuid.uuid4().hex[:6]}"
    first = await register_source(registry, source, kind="civil_society", name="Föreningen Ljus")
    second = (await http.post(f"/v1/sources/{source}/keys", headers=CURATOR)).json()["api_key"]
    assert (await http.delete(f"/v1/sources/{source}/keys/{key_id_of(first)}", headers=CURATOR)).status_code == 200
    assert (await http.patch(f"/v1/sources/{source}", json={"active": False}, headers=CURATOR)).status_code == 200
    assert (await http.patch(f"/v1/sources/{source}", json={"active": True}, headers=CURATOR)).status_code == 200
    events = await told(registry, source, 5)
    assert [e["type"] for e in events] == ["se.malmo.oppna.source.changed.v1"] * 5
    assert all(e["subject"] == source and e["source"] == "urn:malmo:oppna:registry" for e in events)
    data = [e["data"] for e in events]
    assert [d["version"] for d in data] == [1, 2, 3, 4, 5]
    assert [d["active"] for d in data] == [True, True, True, False, True]
    assert data[0] == {"source": source, "version": 1, "kind": "civil_society", "name": {"sv": "Föreningen Ljus", "en": "Föreningen Ljus"},
                       "active": True, "keys": [{"key_id": key_id_of(first), "sha256": hash_key(first), "revoked": False}]}
    assert [(k["key_id"], k["revoked"]) for k in data[1]["keys"]] == [(key_id_of(first), False), (key_id_of(second), False)]
    assert [(k["key_id"], k["revoked"]) for k in data[2]["keys"]] == [(key_id_of(first), True), (key_id_of(second), False)]
    assert data[1]["keys"][1]["sha256"] == hash_key(second)
    raw = str(events)
    assert first not in raw and second not in raw, "hashes only, never a key"
    assert len({e["id"] for e in events}) == 5


async def test_a_change_that_changes_nothing_tells_nothing(registry):
    http = registry.http["registry"]
    source = f"urn:malmo:source:rse-{uuid.uuid4().hex[:6]}"
    await register_source(registry, source)
    assert (await http.patch(f"/v1/sources/{source}", json={"active": True}, headers=CURATOR)).status_code == 200
    assert (await http.patch(f"/v1/sources/{source}", json={"active": False}, headers=CURATOR)).status_code == 200
    events = await told(registry, source, 2)
    assert [e["data"]["version"] for e in events] == [1, 2] and events[1]["data"]["active"] is False
