"""The chaos run's own arithmetic, as pure functions: what the stream must lead to, and the
faults it promises to inject."""

from collections import defaultdict
import json

from chaos.faults import plan
from chaos.processes import PORTS
from chaos.workload import residents, submission_stream, tokens_of
from chaos.privacy import PATTERN


def test_expected_state_is_the_highest_revision_each_initiative_was_sent():
    stream = submission_stream(seed=5, sources=3, total=2_000)
    highest: dict[tuple[str, str], tuple[int, str]] = {}
    for _, value in stream.messages:
        event = json.loads(value)
        if event["id"] in stream.invalid_ids:
            continue
        key = (event["source"], event["data"]["external_id"])
        revision = event["data"]["revision"]
        if revision > highest.get(key, (0, ""))[0]:
            highest[key] = (revision, event["type"])
    assert len(highest) == len(stream.expected)
    for want in stream.expected.values():
        revision, type_ = highest[(want.source, want.external_id)]
        assert want.revision == revision
        assert want.withdrawn == type_.endswith("withdrawn.v1")


def test_stream_mixes_revisions_withdrawals_duplicates_and_invalid_events():
    stream = submission_stream(seed=5, sources=20, total=5_000)
    assert len(stream.messages) == 5_000
    assert all(stream.counts[k] > 0 for k in ("first", "revision", "withdrawal", "duplicate", "invalid"))
    ids = defaultdict(int)
    for _, value in stream.messages:
        ids[json.loads(value)["id"]] += 1
    assert sum(n - 1 for n in ids.values()) == stream.counts["duplicate"]


def test_every_service_is_killed_as_often_as_promised_and_each_engine_restarted_once():
    faults = plan(seed=1, window_s=100, kills_per_service=5)
    per_target = defaultdict(int)
    for f in faults:
        per_target[f.target] += 1
        assert 0 <= f.at_s <= 100
    assert {s: per_target[s] for s in PORTS} == {s: 5 for s in PORTS}
    assert per_target["kafka"] == 1 and per_target["database"] == 1


def test_the_privacy_pattern_finds_every_form_of_every_resident_and_nothing_else():
    people = residents(seed=3, count=200, sessions=4)
    for person in people:
        for token in tokens_of(person):
            assert PATTERN.findall(f"x {token} y".encode()) == [token.encode()]
    assert PATTERN.findall(b"offset 10709123456 at 2026-11-28T20:07:09 +46701234567 program@example.org") == []
