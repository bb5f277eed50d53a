"""Every service's committed contract (AsyncAPI 3.0 and JSON Schemas) is what the models generate,
and the platform's document lists every topic of the catalogue."""

from pathlib import Path

import pytest

from shared import contracts
from shared.topics import ALL_TOPICS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(contracts.CONTRACTS))
def test_committed_contract_matches_the_models(name):
    expected = contracts.render(contracts.CONTRACTS[name])
    folder = ROOT / "contracts" / name
    committed = {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*.json")}
    drifted = sorted(set(expected) ^ set(committed) | {k for k in expected if committed.get(k) != expected[k]})
    assert not drifted, f"contracts/{name} drifted in {drifted}: run `.venv/bin/python -m shared.contracts` and commit"


def test_the_platform_document_lists_every_topic_and_every_message_has_a_schema():
    doc = contracts.asyncapi(contracts.CONTRACTS["platform"])
    assert doc["asyncapi"] == "3.0.0"
    assert {c["address"] for c in doc["channels"].values()} == {t.name for t in ALL_TOPICS}
    for channel in doc["channels"].values():
        for ref in channel["messages"].values():
            name = ref["$ref"].rsplit("/", 1)[-1]
            assert name in doc["components"]["messages"]
    # A received-only topic is one outsiders publish on: the submissions and the receipts.
    received = {op["channel"]["$ref"].rsplit("/", 1)[-1] for op in doc["operations"].values() if op["action"] == "receive"}
    assert received == {"registry_submissions_v1", "notifications_receipts_v1"}
