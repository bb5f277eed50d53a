"""The local broker's ACLs (deploy/local/launcher/kafka_sasl.py) give each service exactly the
topics its contract names (shared/contracts.py), and the inbox pattern catches inboxes only."""

import re

from deploy.local.launcher.kafka_sasl import READS, WRITES, publisher_lines, service_acls
from services.registry.domain.inbox import INBOX_PATTERN, inbox_topic, proven_principal, source_mismatch
from shared.contracts import SERVICES
from shared.topics import ALL_TOPICS, REGISTRY_INBOX

# Beyond the contracts' channels: notifications writes the receipts an SMS gateway posts to its
# webhook. (A service also reads what it writes: its read models, its own dead letters.)
ALSO_WRITES = {"notifications": {"notifications.receipts.v1"}}


def test_each_service_reads_and_writes_what_its_contract_says_and_nothing_else():
    for contract in SERVICES:
        receive = {c.topic.name for c in contract.channels if c.action == "receive"} - {REGISTRY_INBOX.name}  # a prefixed ACL
        send = {c.topic.name for c in contract.channels if c.action == "send"}
        assert set(READS[contract.service]) == receive, contract.service
        assert set(WRITES[contract.service]) == send | ALSO_WRITES.get(contract.service, set()), contract.service
    assert set(READS) == {c.service for c in SERVICES}


def test_a_service_writes_and_alters_only_topics_it_owns():
    owners = {t.name: t.owner for t in ALL_TOPICS}
    for service in READS:
        for line in service_acls(service):
            _, principal, kind, pattern, name, ops = line.split()
            assert principal == f"User:{service}"
            if {"WRITE", "ALTER_CONFIGS"} & set(ops.split(",")):
                assert owners.get(name, name.split(".")[0]) == service, line
            if kind == "TOPIC" and pattern == "PREFIXED":
                assert (service, name, ops) == ("registry", "registry.inbox.", "READ"), line


def test_a_publisher_may_write_its_inbox_only():
    lines = publisher_lines("kulturforvaltningen", "pw", "t1.")
    assert [l for l in lines if l.startswith("acl")] == ["acl User:kulturforvaltningen TOPIC LITERAL t1.registry.inbox.kulturforvaltningen.v1 WRITE"]


def test_the_inbox_pattern_catches_every_inbox_and_nothing_else():
    pattern = re.compile(rf"^{re.escape('t1.')}(?:{INBOX_PATTERN})$")
    assert pattern.match("t1." + inbox_topic("kulturforvaltningen"))
    assert pattern.match("t1.registry.inbox.ideell-forening-rosengard.v1")
    for other in ("t1.registry.submissions.v1", "t1.registry.inbox.a.v2", "t1.registry.inbox.a.b.v1", "t12.registry.inbox.a.v1",
                  "registry.inbox.a.v1", "t1.registry.inbox..v1", "t1.registry.inbox.A.v1", "t1.registry.submissions.rejected.v1"):
        assert not pattern.match(other), other


def test_an_inbox_proves_its_principal_and_refuses_any_other_source():
    assert proven_principal("registry.inbox.eccar.v1") == "User:eccar"
    assert proven_principal("registry.submissions.v1") is None
    eccar = {"source": "urn:malmo:source:eccar", "kafka_principal": "User:eccar"}
    assert source_mismatch(eccar, eccar["source"], "User:eccar") is None
    for state, principal in ((eccar, "User:other"), ({**eccar, "kafka_principal": None}, "User:eccar"), (None, "User:eccar"), (eccar, None)):
        reason = source_mismatch(state, "urn:malmo:source:eccar", principal)
        assert (reason.field, reason.code) == ("source", "source_mismatch")


def test_compose_grants_the_same_table_and_each_service_signs_in_as_itself_over_tls():
    from deploy.local.launcher.kafka_sasl import services_acl_spec
    from tests.unit.test_deployment_files import ROOT, environment, load_compose

    assert (ROOT / "deploy/compose/kafka-acls.spec").read_text() == services_acl_spec(), "run: python3 -m deploy.local.launcher.kafka_sasl > deploy/compose/kafka-acls.spec"
    compose = load_compose()
    for service in READS:
        env = environment(compose["services"][service])
        assert (env["KAFKA_SECURITY_PROTOCOL"], env["KAFKA_SASL_USERNAME"]) == ("SASL_SSL", service)
        assert f"KAFKA_PASSWORD_{service.upper()}" in env["KAFKA_SASL_PASSWORD"]
    broker = environment(compose["services"]["kafka"])
    assert set(broker["KAFKA_LISTENERS"].split(",")) == {"SASL_SSL://:9092", "CONTROLLER://:9093"}
    assert broker["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"


def test_each_service_may_read_every_topic_it_subscribes_to():
    from deploy.kubernetes.kafka_resources import declared  # the subscriptions, as each service registers them

    for service in READS:
        topics, patterns, _, _ = declared(service)
        assert topics <= set(READS[service]) | set(WRITES[service]), (service, topics - set(READS[service]) - set(WRITES[service]))
        assert patterns == ({INBOX_PATTERN} if service == "registry" else set()), service


def test_an_inbox_is_kept_as_the_shared_submissions_topic_is():
    from deploy.local.launcher.kafka_sasl import INBOX_CONFIGS
    from shared.topics import REGISTRY_SUBMISSIONS

    assert INBOX_CONFIGS == REGISTRY_SUBMISSIONS.configs
    [topic] = [line for line in publisher_lines("eccar", "pw") if line.startswith("topic ")]
    assert topic.split()[3:] == [f"{k}={v}" for k, v in REGISTRY_SUBMISSIONS.configs.items()]


def test_the_demos_publishers_are_the_launchers_and_every_name_it_takes_names_an_inbox():
    from deploy.local.demo_data import SOURCES
    from deploy.local.launcher.kafka_sasl import DEMO_PUBLISHERS, PUBLISHER_NAME

    assert {uri.rsplit(":", 1)[-1] for uri in SOURCES} == set(DEMO_PUBLISHERS)
    inbox = re.compile(rf"^(?:{INBOX_PATTERN})$")
    for name in (*DEMO_PUBLISHERS, "a", "0-x", "ungdomens-hus-7"):
        assert PUBLISHER_NAME.match(name) and inbox.match(inbox_topic(name)), name
    for name in ("A", "a.b", "-a", "a_b", ""):
        assert not PUBLISHER_NAME.match(name), name


def test_a_source_is_registered_only_with_a_principal_that_can_name_an_inbox():
    import pytest
    from pydantic import ValidationError

    from services.registry.domain.sources import SourceChange, SourceIn

    base = {"source": "urn:malmo:source:eccar", "kind": "international", "name": {"sv": "E", "en": "E"}}
    assert SourceIn(**base, kafka_principal="User:eccar").kafka_principal == "User:eccar"
    for bad in ("eccar", "User:Eccar", "User:ec.car", "User:", "Group:eccar", "User:ec_car"):
        with pytest.raises(ValidationError):
            SourceIn(**base, kafka_principal=bad)
        with pytest.raises(ValidationError):
            SourceChange(kafka_principal=bad)
