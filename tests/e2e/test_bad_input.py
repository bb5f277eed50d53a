"""Garbage on the submissions topic is dead-lettered with reasons; nothing around it is lost."""

import base64
import json
import uuid

from shared.auth import Role
from tests.platform import as_role, eventually, register_source, submission


async def test_garbage_between_two_valid_submissions_is_rejected_and_both_are_stored(platform):
    source = f"urn:malmo:source:test-{uuid.uuid4().hex[:6]}"
    await register_source(platform, source)
    first, second = submission(source, "OK-1"), submission(source, "OK-2")
    unknown_type = {**submission(source, "X-1"), "type": "se.malmo.oppna.initiative.exploded.v1"}
    invalid_data = submission(source, "X-2", themes="democracy")  # a string, not a list
    garbage = [
        b"\xff\xfe not json at all",
        json.dumps({"hello": "world", "source": source}).encode(),  # JSON, not a CloudEvent
        json.dumps(unknown_type).encode(),
        json.dumps(invalid_data).encode(),
    ]
    # One key: all on one partition, so the garbage really stands between the two.
    await platform.kafka.send("registry.submissions.v1", json.dumps(first).encode(), key=source)
    for g in garbage:
        await platform.kafka.send("registry.submissions.v1", g, key=source)
    await platform.kafka.send("registry.submissions.v1", json.dumps(second).encode(), key=source)

    for external_id in ("OK-1", "OK-2"):
        await eventually(
            lambda: _stored(platform, source, external_id), what=f"{external_id} to be stored past the garbage"
        )

    def mine(ms):
        return [m for m in ms if m["data"]["original"].get("key") == source]

    rejected = mine(await platform.kafka.read("registry.submissions.rejected.v1", until=lambda ms: len(mine(ms)) >= 4))
    assert len(rejected) == 4
    by_bytes = {base64.b64decode(m["data"]["original"]["value_base64"]): m for m in rejected}
    assert set(by_bytes) == set(garbage), "each dead letter carries the original bytes verbatim"
    codes = [[(r["field"], r["code"]) for r in by_bytes[g]["data"]["reasons"]] for g in garbage]
    assert codes[0] == [("", "not_json")]
    assert ("id", "missing") in codes[1] and ("type", "missing") in codes[1]
    assert codes[2] == [("type", "unknown_type")]
    assert codes[3] == [("data.themes", "list_type")]
    assert all(m["type"] == "se.malmo.oppna.message.rejected.v1" for m in rejected)


async def _stored(platform, source, external_id):
    r = await platform.http["registry"].get("/v1/lookup", params={"source": source, "external_id": external_id}, headers=as_role(Role.curator))
    return r.status_code == 200
