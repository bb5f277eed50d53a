"""Every manifest of deploy/kubernetes/ is valid Kubernetes: kubeconform against the Kubernetes
schemas and the MongoDB operator's CRD, Strimzi's kinds against the validators generated from
Strimzi's CRDs (tests/kubeconform.py), and a broken one is refused."""

import json
from pathlib import Path

import pytest
import yaml

from deploy.kubernetes import generate
from tests import kubeconform

HERE = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"


def listed() -> list[Path]:
    """The files ``kubectl apply -k deploy/kubernetes`` applies."""
    kustomization = yaml.safe_load((HERE / "kustomization.yaml").read_text())
    return [HERE / name for name in kustomization["resources"]]


def test_kustomization_applies_every_manifest_in_the_folder():
    on_disk = {p.name for p in HERE.glob("*.yaml")} - {"kustomization.yaml"}
    assert {p.name for p in listed()} == on_disk


def test_the_committed_generated_manifests_are_what_the_generator_writes():
    """KafkaTopics, KafkaUsers, workloads and policies never drift from shared/topics.py & co."""
    for name, text in generate.rendered().items():
        assert (HERE / name).read_text() == text, f"{name} is stale: run python -m deploy.kubernetes.generate"
    assert generate.main(["--check"]) == 0


@pytest.fixture(scope="module")
def applied(tmp_path_factory) -> tuple[Path, list[dict]]:
    """What ``kubectl apply -k deploy/kubernetes`` applies, built by kustomize: a file and its documents."""
    stream = kubeconform.kustomize_build(HERE)
    path = tmp_path_factory.mktemp("kustomize") / "applied.yaml"
    path.write_text(stream)
    return path, [d for d in yaml.safe_load_all(stream) if d]


def test_kustomize_applies_every_document_into_the_namespace(applied):
    _, documents = applied
    written = [d for p in listed() for d in yaml.safe_load_all(p.read_text()) if d]
    assert sorted((d["kind"], d["metadata"]["name"]) for d in documents) == sorted((d["kind"], d["metadata"]["name"]) for d in written)
    assert {d["metadata"].get("namespace") for d in documents if d["kind"] != "Namespace"} == {"oppna-malmo"}


@pytest.fixture(scope="module")
def verdict(applied) -> dict:
    result = kubeconform.validate([applied[0]])
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return json.loads(result.stdout)


def test_every_manifest_is_valid_against_its_schema(verdict, applied):
    documents = applied[1]
    strimzi = [d for d in documents if d["kind"] in kubeconform.STRIMZI_KINDS]
    summary = verdict["summary"]
    assert summary["invalid"] == 0 and summary["errors"] == 0, verdict
    # Everything was checked against a schema, but Strimzi's kinds, whose CRD files no registry serves here.
    assert summary["valid"] == len(documents) - len(strimzi)
    assert summary["skipped"] == len(strimzi)
    kinds = {d["kind"] for d in documents}
    assert {"Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy", "ConfigMap", "Ingress", "MongoDBCommunity"} <= kinds


BROKEN_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: registry}
spec:
  replicas: two
  selector: {matchLabels: {app.kubernetes.io/name: registry}}
  template:
    metadata: {labels: {app.kubernetes.io/name: registry}}
    spec:
      containers:
        - name: registry
          image: oppna-malmo:latest
          readinessProbe: {httpGet: {path: /readyz, port: http}, periodSecond: 5}
"""

BROKEN_MONGODB = """
apiVersion: mongodbcommunity.mongodb.com/v1
kind: MongoDBCommunity
metadata: {name: oppna-malmo-mongodb}
spec:
  members: three
  type: ReplicaSet
  version: "7.0.14"
  security: {authentication: {modes: ["SCRAM"]}}
  users:
    - {name: registry, db: admin, passwordSecretRef: {name: p}, roles: [{name: readWrite, db: registry}], scramCredentialsSecretName: s, passwrd: x}
"""


@pytest.mark.parametrize(("text", "errors"), [
    (BROKEN_DEPLOYMENT, ("at '/spec/replicas': got string, want null or integer", "additional properties 'periodSecond' not allowed")),
    (BROKEN_MONGODB, ("at '/spec/members': got string, want integer", "additional properties 'passwrd' not allowed")),
], ids=["deployment", "mongodb"])
def test_a_broken_manifest_is_refused(tmp_path, text, errors):
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    result = kubeconform.validate([path])
    assert result.returncode != 0
    [resource] = json.loads(result.stdout)["resources"]
    assert resource["status"] == "statusInvalid"
    for error in errors:  # each mistake named, where it is
        assert error in resource["msg"], resource["msg"]


def test_a_kind_without_a_schema_is_an_error_not_a_pass(tmp_path):
    path = tmp_path / "unknown.yaml"
    path.write_text("apiVersion: example.org/v1\nkind: Widget\nmetadata: {name: w}\nspec: {}\n")
    result = kubeconform.validate([path])
    assert result.returncode != 0
    assert json.loads(result.stdout)["summary"]["errors"] == 1


def test_every_strimzi_resource_is_valid_against_strimzis_crds(applied):
    documents = [d for d in applied[1] if d["kind"] in kubeconform.STRIMZI_KINDS]
    verdicts = kubeconform.strimzi_check(documents)
    assert [v for v in verdicts if v["error"]] == []
    assert {v["kind"] for v in verdicts} == set(kubeconform.STRIMZI_KINDS) and len(verdicts) == len(documents)


def test_a_broken_strimzi_resource_is_refused():
    user = {"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaUser", "metadata": {"name": "registry"},
            "spec": {"authentication": {"type": "scram-sha-512"}, "authorization": {"type": "simple", "acls": [
                {"resource": {"type": "topic", "name": "registry.initiatives.v1", "patternType": "literal"}, "operations": ["Wrte"]}]}}}
    topic = {"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaTopic", "metadata": {"name": "t"}, "spec": {"partitions": "four"}}
    listener = {"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "Kafka", "metadata": {"name": "k"},
                "spec": {"kafka": {"listeners": [{"name": "tls", "port": 9093, "tls": True}]}}}
    errors = [v["error"] for v in kubeconform.strimzi_check([user, topic, listener])]
    assert "operations/0 must be equal to one of the allowed values" in errors[0]
    assert "spec/partitions must be integer" in errors[1]
    assert "listeners/0 must have required property type" in errors[2]
