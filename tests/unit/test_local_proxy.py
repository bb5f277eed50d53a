"""The local proxy's configuration (deploy/local/proxy.py) and the chaos run's replica kills:
one address per service over its replicas; a replica is killed only in turn with the other."""

import subprocess

import pytest

from chaos import faults
from deploy.local import proxy

BACKENDS = {"registry": (8101, [("registry-1", 9101), ("registry-2", 10101)]),
            "scheduling": (8102, [("scheduling-1", 9102), ("scheduling-2", 10102)])}


def test_each_service_has_one_address_over_its_checked_replicas_and_unchecked_backups():
    text = proxy.config(BACKENDS)
    assert "bind 127.0.0.1:8101" in text and "bind 127.0.0.1:8102" in text
    assert "server scheduling-1 127.0.0.1:9102 check" in text and "server scheduling-2 127.0.0.1:10102 check" in text
    assert "server scheduling-1-alive 127.0.0.1:9102 backup" in text, "served when no replica is ready (Kafka away)"
    assert "http-check send meth GET uri /readyz" in text and "option redispatch" in text
    assert "retry-on conn-failure empty-response" in text
    assert "option http-buffer-request" in text, "a POST is sent again whole, or closed unanswered"
    assert "disable-l7-retry if !METH_GET !{ req.hdr(idempotency-key) -m found }" in text, "an unkeyed POST is never sent twice"


@pytest.mark.skipif(proxy.binary() is None, reason="haproxy is not installed (make run and make chaos-replicas install it)")
def test_haproxy_accepts_the_configuration(tmp_path):
    path = tmp_path / "haproxy.cfg"
    path.write_text(proxy.config(BACKENDS))
    checked = subprocess.run([proxy.binary(), "-c", "-f", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr + checked.stdout


def test_the_replicas_of_a_service_are_killed_in_turn_each_as_often_as_one_process_is():
    plan = faults.plan(2026, 240, kills_per_service=5, replicas=2)
    kills = [f for f in plan if f.target.startswith("scheduling-")]
    assert [f.target for f in sorted(kills)] == ["scheduling-1", "scheduling-2"] * 5
    assert all(b.at_s - a.at_s > 10 for a, b in zip(sorted(kills), sorted(kills)[1:])), "a slot each, room to start again"
    assert {f.target for f in plan} >= {"kafka", "database"}
    assert [f.target for f in faults.plan(2026, 240, 5)].count("scheduling") == 5, "one process each: as before"


def test_a_sessions_registrations_go_to_one_replica_and_the_rest_round_robin():
    text = proxy.config(BACKENDS)
    assert "use_backend scheduling-by-aggregate if { path_reg ^/(v1|programme)/sessions/[^/]+/regist }" in text
    by_aggregate = text.split("backend scheduling-by-aggregate", 1)[1]
    assert "balance uri depth 3" in by_aggregate and "hash-type consistent" in by_aggregate
    assert "server scheduling-2 127.0.0.1:10102 check" in by_aggregate, "the other takes them when one is down"
    assert "registry-by-aggregate" not in text


def test_each_local_service_signs_in_to_kafka_as_itself_not_as_the_admin():
    from deploy.local.services import signed_in_as

    env = {"KAFKA_SASL_USERNAME": "admin", "KAFKA_SASL_PASSWORD": "root", "KAFKA_SASL_PASSWORD_SCHEDULING": "its-own"}
    assert {**env, **signed_in_as("scheduling", env)} == {**env, "KAFKA_SASL_USERNAME": "scheduling", "KAFKA_SASL_PASSWORD": "its-own"}
    assert signed_in_as("console", env) == {}, "the console reaches no broker"
