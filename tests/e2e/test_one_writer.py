"""200 concurrent changes to one initiative, through REST and Kafka together: none lost, none doubled.

FerretDB loses concurrent updates of one document (docs/decisions/0001-one-writer-per-document.md);
this goes through the service's own edges, so it fails if any write path bypasses the keyed writer
in shared/.
"""

import asyncio
import json
import uuid

from tests.platform import as_source, eventually, register_source, submission


async def test_200_concurrent_revisions_over_rest_and_kafka_are_all_in_the_history(platform):
    source = f"urn:malmo:source:test-{uuid.uuid4().hex[:6]}"
    key = await register_source(platform, source)
    events = [submission(source, "CONC-1", revision=r) for r in range(1, 201)]
    via_rest, via_kafka = events[0::2], events[1::2]

    async def post(e):
        r = await platform.http["registry"].post("/v1/submissions", json=e, headers=as_source(key))
        assert r.status_code == 202, r.text

    async def publish(e):
        # Different keys spread them over partitions, so the consumer runs them side by side too.
        await platform.kafka.send("registry.submissions.v1", json.dumps(e).encode(), key=e["id"])

    await asyncio.gather(*(post(e) for e in via_rest), *(publish(e) for e in via_kafka))

    # Each revision rewrites one document whose history grows to 200 entries: on a loaded
    # 2-core machine that takes minutes, not seconds; the promise checked is "all, once".
    seen = {"history": 0}

    async def complete():
        r = await platform.http["registry"].get("/v1/lookup", params={"source": source, "external_id": "CONC-1"}, headers=as_source(key))
        if r.status_code == 200:
            seen["history"] = len(r.json()["history"])
            if seen["history"] >= 200:
                return r.json()

    try:
        state = await eventually(complete, timeout=180, what="all 200 revisions in the history")
    except AssertionError as e:
        raise AssertionError(f"{e}; the history had {seen['history']} entries") from None
    history = state["history"]
    assert sorted(h["revision"] for h in history) == list(range(1, 201)), "every revision exactly once"
    assert sorted(h["event_id"] for h in history) == sorted(e["id"] for e in events)
    assert {h["via"] for h in history} == {"rest", "kafka"}
    assert state["revision"] == 200
    await asyncio.sleep(1)  # a late duplicate write would show up here
    r = await platform.http["registry"].get(f"/v1/initiatives/{state['initiative_id']}", headers=as_source(key))
    assert len(r.json()["history"]) == 200
