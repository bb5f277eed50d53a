"""deploy/kubernetes/ agrees with the code: every workload runs replicated, probed, bounded and
drained in time; its settings are real settings that load; Kafka's topics, users and ACLs and
MongoDB's users are exactly the services' own (the network: test_kubernetes_network.py)."""

import ast
import os
import re
import typing
from pathlib import Path
from unittest import mock

import pytest
import yaml
from pydantic import ValidationError

from deploy.kubernetes import kafka_resources as kafka
from deploy.kubernetes.workloads import WORKLOADS
from services.console.settings import ConsoleSettings
from services.registry.domain.inbox import inbox_topic, proven_principal
from shared.contracts import CONTRACTS
from shared.topics import ALL_TOPICS

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "deploy" / "kubernetes"
BACKENDS = ("registry", "scheduling", "notifications", "reporting")
PUBLIC_PAGES = ("scheduling", "notifications", "reporting")


def load_kubernetes() -> list[dict]:
    """Every document ``kubectl apply -k deploy/kubernetes`` applies."""
    names = yaml.safe_load((HERE / "kustomization.yaml").read_text())["resources"]
    return [d for name in names for d in yaml.safe_load_all((HERE / name).read_text(encoding="utf-8")) if d]


def _of_kind(documents: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in documents if d.get("kind") == kind}


def container_of(documents: list[dict], name: str) -> dict:
    (container,) = _of_kind(documents, "Deployment")[name]["spec"]["template"]["spec"]["containers"]
    return container


def container_env(documents: list[dict], name: str) -> dict[str, str | dict]:
    """The container's variables: a value (its ConfigMaps' data, then its own env), or the
    ``valueFrom`` of a Secret's key or a pod field."""
    container, maps = container_of(documents, name), _of_kind(documents, "ConfigMap")
    env: dict[str, str | dict] = {}
    for source in container.get("envFrom", []):
        env.update(maps[source["configMapRef"]["name"]]["data"])
    for e in container.get("env", []):
        env[e["name"]] = e["value"] if "value" in e else e["valueFrom"]
    return env


@pytest.fixture(scope="module")
def kubernetes() -> list[dict]:
    return load_kubernetes()


def settings_from(documents: list[dict], name: str):
    """The settings the pod would load from its environment; a Secret's value is a placeholder
    (``{}`` where the setting is a mapping), the pod's name too."""
    cls = ConsoleSettings if name == "console" else type(kafka.settings_of(name))
    env = container_env(documents, name)
    unknown = sorted(k for k in env if k.lower() not in cls.model_fields)
    assert not unknown, f"{name}: no such setting(s) in {cls.__name__}: {unknown}"
    mapping = {k for k, f in cls.model_fields.items() if typing.get_origin(f.annotation) is dict}
    values = {k: v if isinstance(v, str) else "{}" if k.lower() in mapping else f"placeholder-{k.lower()}" for k, v in env.items()}
    try:
        with mock.patch.dict(os.environ, values, clear=True):
            return cls()
    except ValidationError as exc:
        pytest.fail(f"{name}: the manifests' settings do not load: {exc}")


@pytest.mark.parametrize("name", [w.name for w in WORKLOADS])
def test_each_workload_is_replicated_probed_bounded_and_budgeted(kubernetes, name):
    deployment = _of_kind(kubernetes, "Deployment")[name]
    spec = deployment["spec"]
    assert spec["replicas"] >= 2
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0  # a new pod is ready before an old one goes
    container = container_of(kubernetes, name)
    assert container["command"][-2:] == ["-m", f"services.{name}"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for bound in ("requests", "limits"):
        assert set(container["resources"][bound]) == {"cpu", "memory"}
    budget = _of_kind(kubernetes, "PodDisruptionBudget")[name]["spec"]
    assert budget["minAvailable"] == 1 and budget["selector"] == spec["selector"]
    service = _of_kind(kubernetes, "Service")[name]["spec"]
    assert service["selector"] == spec["selector"]["matchLabels"]
    settings = settings_from(kubernetes, name)
    assert [p["port"] for p in service["ports"]] == [p["containerPort"] for p in container["ports"]] == [settings.http_port]


def _stop_bounds() -> tuple[int, int]:
    """From shared/runtime.py's ``Runtime.stop``: (the bounded stages' seconds together, the bound of
    each on_stop task), read from its ``_bounded(..., seconds)`` calls (those in a loop: per task)."""
    tree = ast.parse((ROOT / "shared" / "runtime.py").read_text())
    [stop] = [f for c in tree.body if isinstance(c, ast.ClassDef) and c.name == "Runtime" for f in c.body
              if isinstance(f, ast.AsyncFunctionDef) and f.name == "stop"]
    looped = {id(n) for loop in ast.walk(stop) if isinstance(loop, ast.For) for n in ast.walk(loop)}
    calls = [n for n in ast.walk(stop) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "_bounded"]
    seconds = [(id(c) in looped, c.args[-1].value) for c in calls]
    return sum(v for loop, v in seconds if not loop), max([v for loop, v in seconds if loop], default=0)


@pytest.mark.parametrize("name", BACKENDS)
def test_a_stopping_pod_drains_within_its_grace_period(kubernetes, name):
    """SIGTERM → the preStop pause → uvicorn's drain of requests (shared/serve.py) → every bounded
    stage of Runtime.stop, each on_stop task of the service included: all before SIGKILL."""
    stages, per_task = _stop_bounds()
    uvicorn = int(re.search(r"timeout_graceful_shutdown=(\d+)", (ROOT / "shared" / "serve.py").read_text()).group(1))
    tasks = (ROOT / "services" / name / "main.py").read_text().count("runtime.on_stop(")
    pod = _of_kind(kubernetes, "Deployment")[name]["spec"]["template"]["spec"]
    pre_stop = int(pod["containers"][0]["lifecycle"]["preStop"]["exec"]["command"][-1])
    assert stages >= 100 and uvicorn >= 20  # read, not missed
    assert pod["terminationGracePeriodSeconds"] > pre_stop + uvicorn + stages + per_task * tasks


@pytest.mark.parametrize("name", BACKENDS)
def test_the_settings_are_the_services_own_and_credentials_come_from_secrets(kubernetes, name):
    env = container_env(kubernetes, name)
    settings = settings_from(kubernetes, name)
    assert settings.mongodb_database == name and settings.topic_prefix == ""
    assert env["REPLICA_ID"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert settings.replica_count == _of_kind(kubernetes, "Deployment")[name]["spec"]["replicas"]  # per-replica rate limits
    mongodb_secret = env["MONGODB_URL"]["secretKeyRef"]
    users = {u["name"]: u for u in _of_kind(kubernetes, "MongoDBCommunity")["oppna-malmo-mongodb"]["spec"]["users"]}
    assert mongodb_secret["name"] == users[name]["connectionStringSecretName"]
    assert env["KAFKA_SASL_USERNAME"] == name and name in _of_kind(kubernetes, "KafkaUser")
    assert env["KAFKA_SASL_PASSWORD"]["secretKeyRef"] == {"name": name, "key": "password", "optional": False}  # Strimzi's User Operator
    mounts = {m["mountPath"] for m in container_of(kubernetes, name)["volumeMounts"]}
    assert str(Path(env["KAFKA_SSL_CAFILE"]).parent) in mounts
    if name in PUBLIC_PAGES:
        assert settings.public_base_url.startswith("https://")


def test_the_console_calls_the_services_by_their_service_names(kubernetes):
    settings = settings_from(kubernetes, "console")
    services = _of_kind(kubernetes, "Service")
    for name, url in settings.service_urls().items():
        assert url == f"http://{name}:{services[name]['spec']['ports'][0]['port']}"


def test_kafka_listens_with_tls_and_scram_and_authorises_by_acls(kubernetes):
    spec = _of_kind(kubernetes, "Kafka")[kafka.CLUSTER]["spec"]["kafka"]
    [listener] = spec["listeners"]
    assert (listener["port"], listener["tls"], listener["authentication"]["type"]) == (9093, True, "scram-sha-512")
    assert spec["authorization"]["type"] == "simple"
    assert spec["config"]["min.insync.replicas"] == 2
    config = _of_kind(kubernetes, "ConfigMap")["oppna-malmo-config"]["data"]
    assert config["KAFKA_BOOTSTRAP_SERVERS"] == f"{kafka.CLUSTER}-kafka-bootstrap:9093"
    assert (config["KAFKA_SECURITY_PROTOCOL"], config["KAFKA_SASL_MECHANISM"]) == ("SASL_SSL", "SCRAM-SHA-512")


def test_every_catalogue_topic_is_a_kafka_topic_as_declared(kubernetes):
    topics = {t["spec"]["topicName"]: t["spec"] for t in _of_kind(kubernetes, "KafkaTopic").values()}
    config = _of_kind(kubernetes, "ConfigMap")["oppna-malmo-config"]["data"]
    for topic in ALL_TOPICS:
        spec = topics[topic.name]
        assert spec["config"] == topic.configs
        assert (spec["partitions"], spec["replicas"]) == (int(config["TOPIC_PARTITIONS"]), int(config["TOPIC_REPLICATION_FACTOR"]))
    for name in BACKENDS:
        assert topics[kafka.leadership_topic(name)]["partitions"] == 1  # one partition: one leader


def _acls(user: dict) -> dict[tuple[str, str, str], set[str]]:
    return {(a["resource"]["type"], a["resource"]["name"], a["resource"]["patternType"]): set(a["operations"])
            for a in user["spec"]["authorization"]["acls"]}


@pytest.mark.parametrize("name", BACKENDS)
def test_each_service_principal_has_exactly_the_acls_it_needs(kubernetes, name):
    acls = _acls(_of_kind(kubernetes, "KafkaUser")[name])
    topics, patterns, groups, leadership = kafka.declared(name)
    read = {n for (kind, n, pattern), ops in acls.items() if kind == "topic" and pattern == "literal" and "Read" in ops}
    assert read == set(topics) | {leadership}
    written = {n for (kind, n, _), ops in acls.items() if kind == "topic" and "Write" in ops}
    assert written == set(kafka.writes(name))
    assert {c.topic.name for c in CONTRACTS[name].channels if c.action == "send"} <= written
    assert written == {t.name for t in ALL_TOPICS if t.owner == name} - kafka.WRITTEN_BY_OTHERS  # its own topics only
    prefixed = {n for (kind, n, pattern) in acls if kind == "topic" and pattern == "prefix"}
    assert prefixed == {kafka.literal_prefix(p) for p in patterns}
    assert set(acls) - {("topic", n, p) for (_k, n, p) in acls} == {("group", f"{name}.", "prefix")}
    assert all(g.startswith(f"{name}.") for g in groups)
    personal = {t.name for t in ALL_TOPICS if t.personal_data}
    if name == "reporting":
        assert not read & personal


def test_a_publisher_may_write_its_own_inbox_and_nothing_else(kubernetes):
    acls = _acls(_of_kind(kubernetes, "KafkaUser")[kafka.EXAMPLE_PUBLISHER])
    inbox = inbox_topic(kafka.EXAMPLE_PUBLISHER)
    assert proven_principal(inbox) == f"User:{kafka.EXAMPLE_PUBLISHER}"  # the registry takes what it writes there as its own
    assert acls == {("topic", inbox, "literal"): {"Write"}}
    assert inbox in {t["spec"]["topicName"] for t in _of_kind(kubernetes, "KafkaTopic").values()}
    registry = _acls(_of_kind(kubernetes, "KafkaUser")["registry"])
    assert registry[("topic", kafka.INBOX_PREFIX, "prefix")] == {"Read"}


def test_mongodb_is_a_replica_set_with_one_user_per_service_on_its_own_database(kubernetes):
    spec = _of_kind(kubernetes, "MongoDBCommunity")["oppna-malmo-mongodb"]["spec"]
    assert (spec["members"], spec["type"], spec["security"]["authentication"]["modes"]) == (3, "ReplicaSet", ["SCRAM"])
    users = {u["name"]: u for u in spec["users"]}
    assert set(users) == {*BACKENDS, "backup"}
    for name, user in users.items():
        roles = [{"name": "backup", "db": "admin"}, {"name": "restore", "db": "admin"}] if name == "backup" else [{"name": "readWrite", "db": name}]
        assert user["roles"] == roles
        assert user["passwordSecretRef"]["name"] == f"mongodb-{name}-password"


def test_the_operations_principal_may_only_see_and_reset_consumer_groups(kubernetes):
    """Backups record every group's offsets and restores rewind them (deploy/README.md): DESCRIBE,
    and the READ an offset commit needs; it may write, create or alter nothing."""
    acls = _acls(_of_kind(kubernetes, "KafkaUser")[kafka.OPERATIONS])
    assert acls == {("group", "*", "literal"): {"Describe", "Read"}, ("topic", "*", "literal"): {"Describe", "Read"}}


OPERATIONS = {"Read": "READ", "Write": "WRITE", "Create": "CREATE", "DescribeConfigs": "DESCRIBE_CONFIGS", "AlterConfigs": "ALTER_CONFIGS"}


@pytest.mark.parametrize("name", BACKENDS)
def test_the_cluster_grants_a_service_no_more_than_the_local_broker_does(kubernetes, name):
    """The local launcher's ACLs (deploy/local/launcher/kafka_sasl.py), under which the tests run
    every service signed in as itself, bound the cluster's: the cluster only leaves out READ on
    owned topics no subscription reads and CREATE on others' topics (the Topic Operator makes them)."""
    from deploy.local.launcher.kafka_sasl import service_acls

    local = set()
    for line in service_acls(name):
        _acl, _principal, kind, pattern, resource, operations = line.split()
        local |= {(kind, pattern, resource, op) for op in operations.split(",")}
    cluster = {(kind.upper(), {"literal": "LITERAL", "prefix": "PREFIXED"}[pattern], resource, OPERATIONS[op])
               for (kind, resource, pattern), ops in _acls(_of_kind(kubernetes, "KafkaUser")[name]).items() for op in ops}
    assert cluster <= local
