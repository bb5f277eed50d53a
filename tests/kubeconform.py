"""kubeconform and the schemas it validates deploy/kubernetes/ against, all offline after the first run.

- kubeconform (Go module github.com/yannh/kubeconform) and kustomize (sigs.k8s.io/kustomize, to
  build what ``kubectl apply -k`` applies) are built once with ``go install`` into
  ``.cache/kubeconform/<tool>-<version>/`` (the module proxy serves them; kept afterwards).
- Kubernetes' own kinds: the JSON schemas bundled by the PyPI package ``kubernetes-validate`` (the
  test extra), made standalone for kubeconform's file loader (their ``$id`` and ``/api/…`` refs
  point at kubernetes.io, which kubeconform would try to fetch) under ``.cache/kubeconform/schemas``.
- The MongoDB Community Operator's ``MongoDBCommunity``: its CRD from the operator's Go module
  (``config/crd/bases``), its ``openAPIV3Schema`` turned into a strict JSON Schema.
- Strimzi's kinds (Kafka, KafkaNodePool, KafkaTopic, KafkaUser): no registry reachable here serves
  their CRD files (the Maven artifact ``io.strimzi:api`` holds the model classes only; Strimzi is
  no Go module), so kubeconform skips them (``STRIMZI_KINDS``). The npm package
  ``@kubernetes-models/strimzi-kafka-operator`` serves validators generated from those CRDs
  (``strimzi_check``, run by Node): types, enumerations, required fields and patterns are checked
  — not unknown fields, which the CRDs allow (the API server prunes them), so
  tests/unit/test_kubernetes_resources.py asserts the fields that matter by name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "kubeconform"
KUBECONFORM_VERSION = "v0.7.0"
KUBECONFORM = CACHE / f"kubeconform-{KUBECONFORM_VERSION}" / "kubeconform"  # a version's own folder: a new one is built anew
KUSTOMIZE_VERSION = "v5.7.1"
KUSTOMIZE = CACHE / f"kustomize-{KUSTOMIZE_VERSION}" / "kustomize"
KUBERNETES_VERSION = "1.33.0"  # a release kubernetes-validate bundles; the oldest the manifests target
SCHEMAS = CACHE / "schemas"
MONGODB_OPERATOR = ("github.com/mongodb/mongodb-kubernetes-operator", "v0.9.0")
STRIMZI_KINDS = ("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser")
STRIMZI_MODELS = ("@kubernetes-models/strimzi-kafka-operator", "1.0.1")
STRIMZI_CHECK = """
import { readFileSync } from "node:fs";
const out = [];
for (const doc of JSON.parse(readFileSync(0, "utf8"))) {
  const [group, version] = doc.apiVersion.split("/");
  const Model = (await import(`@kubernetes-models/strimzi-kafka-operator/${group}/${version}/${doc.kind}`))[doc.kind];
  try { new Model(doc).validate(); out.push({ kind: doc.kind, name: doc.metadata?.name, error: null }); }
  catch (e) { out.push({ kind: doc.kind, name: doc.metadata?.name, error: String(e.message ?? e) }); }
}
console.log(JSON.stringify(out));
"""


def _go_install(binary: Path, package: str) -> Path:
    """``binary``, built once from ``package@version`` (outside any module)."""
    if not binary.exists():
        go = shutil.which("go")
        if go is None:
            raise RuntimeError(f"go not found: {binary.name} is built from its Go module")
        env = {**os.environ, "GOBIN": str(binary.parent), "CGO_ENABLED": "0"}
        done = subprocess.run([go, "install", package], cwd=tempfile.gettempdir(), env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"go install {package} failed: {done.stderr[-2000:]}")
    return binary


def kubeconform() -> Path:
    return _go_install(KUBECONFORM, f"github.com/yannh/kubeconform/cmd/kubeconform@{KUBECONFORM_VERSION}")


def kustomize_build(folder: Path) -> str:
    """The YAML stream ``kubectl apply -k <folder>`` would apply."""
    binary = _go_install(KUSTOMIZE, f"sigs.k8s.io/kustomize/kustomize/v5@{KUSTOMIZE_VERSION}")
    return subprocess.run([str(binary), "build", str(folder)], check=True, capture_output=True, text=True, timeout=120).stdout


def kubernetes_schemas() -> Path:
    """``<SCHEMAS>/v<version>-standalone-strict/<kind>-<group>-<version>.json``, kubeconform's layout."""
    target = SCHEMAS / f"v{KUBERNETES_VERSION}-standalone-strict"
    if (target / "_definitions.json").exists():
        return SCHEMAS
    import kubernetes_validate  # the test extra

    source = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{KUBERNETES_VERSION}-local-strict"
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for path in source.glob("*.json"):
        schema = json.loads(path.read_text().replace('"/api/_definitions.json#', '"_definitions.json#'))
        schema.pop("$id", None)  # refs then resolve against the file itself
        (partial / path.name).write_text(json.dumps(schema))
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return SCHEMAS


def _strict(node):
    """An OpenAPI v3 schema node of a CRD as JSON Schema, unknown fields refused where the CRD says
    which fields there are (as kubeconform's ``-strict`` does for Kubernetes' own kinds)."""
    if isinstance(node, list):
        return [_strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _strict(v) for k, v in node.items() if not k.startswith("x-kubernetes-") and k != "nullable"}
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if "properties" in node and "additionalProperties" not in node and not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


def crd_schemas() -> Path:
    """``<SCHEMAS>/crds-<operator version>/<group>/<kind>_<version>.json`` for every CRD a registry here serves."""
    module, version = MONGODB_OPERATOR
    target = SCHEMAS / f"crds-{version}"
    if target.exists():
        return target
    with tempfile.TemporaryDirectory(prefix="crds-") as tmp:  # outside any module: module@version
        out = subprocess.run([shutil.which("go") or "go", "mod", "download", "-json", f"{module}@{version}"],
                             cwd=tmp, check=True, capture_output=True, text=True, timeout=600).stdout
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    for path in sorted((Path(json.loads(out)["Dir"]) / "config" / "crd" / "bases").glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"].lower()
        for v in crd["spec"]["versions"]:
            folder = partial / group
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{kind}_{v['name']}.json").write_text(json.dumps(_strict(v["schema"]["openAPIV3Schema"])))
    partial.rename(target)
    return target


def validate(paths: list[Path]) -> subprocess.CompletedProcess:
    """kubeconform on ``paths``, strict, every kind against its schema; a kind without one is an
    error, except Strimzi's, skipped by name (``strimzi_check``). JSON output (``-output json``), never the network."""
    command = [
        str(kubeconform()), "-strict", "-summary", "-output", "json",
        "-kubernetes-version", KUBERNETES_VERSION,
        "-schema-location", str(kubernetes_schemas()),
        "-schema-location", str(crd_schemas()) + "/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json",
        "-skip", ",".join(STRIMZI_KINDS),
        *map(str, paths),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def strimzi_check(documents: list[dict]) -> list[dict]:
    """Each Strimzi document's verdict, ``{"kind", "name", "error"}`` (error None: valid), from the
    CRD-generated validators of ``STRIMZI_MODELS`` (installed once with npm, then offline)."""
    package, version = STRIMZI_MODELS
    folder = CACHE / f"strimzi-models-{version}"
    if not (folder / "node_modules" / package / "package.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([shutil.which("npm") or "npm", "install", "--no-audit", "--no-fund", "--prefix", str(folder), f"{package}@{version}"],
                       check=True, capture_output=True, timeout=600)
    script = folder / "check.mjs"
    script.write_text(STRIMZI_CHECK)
    result = subprocess.run([shutil.which("node") or "node", str(script)], input=json.dumps(documents),
                            capture_output=True, text=True, check=True, timeout=120)
    return json.loads(result.stdout)
