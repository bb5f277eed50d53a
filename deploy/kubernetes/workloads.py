"""The five workloads (four services and the console): Deployment, Service, PodDisruptionBudget.

Every setting is an environment variable named after a field of the service's settings class
(``shared/settings.py``, ``services/<name>/settings.py``): the shared and per-service values from
ConfigMaps (config.yaml), credentials from Secrets — Kafka's made by Strimzi's User Operator per
KafkaUser (key ``password``) and its cluster CA (``oppna-malmo-cluster-ca-cert``), MongoDB's
connection string made by the MongoDB operator per user (mongodb.yaml), the rest made by the
operator of the deployment (deploy/README.md). ``REPLICA_ID`` is the pod's name.
"""

from dataclasses import dataclass, field

from deploy.kubernetes.kafka_resources import CLUSTER

IMAGE = "oppna-malmo:latest"
PART_OF = {"app.kubernetes.io/part-of": "oppna-malmo"}
KAFKA_CLIENT = {"oppna-malmo/kafka-client": "true"}  # the Kafka listener's and the egress policies' peers
MONGODB_CLIENT = {"oppna-malmo/mongodb-client": "true"}
KAFKA_CA_DIR = "/etc/oppna-malmo/kafka-ca"
PRE_STOP_S = 5  # the endpoints drop the pod before SIGTERM, so no new request reaches a draining pod
UVICORN_DRAIN_S = 20  # shared/serve.py: timeout_graceful_shutdown
RUNTIME_STOP_S = 110  # shared/runtime.py Runtime.stop: its bounded stages, without on_stop work
ON_STOP_S = 20  # each runtime.on_stop function's bound
MARGIN_S = 15
READY_FAILURES = 6  # × 5 s


@dataclass(frozen=True)
class Workload:
    name: str
    port: int
    replicas: int = 2
    backend: bool = True  # Kafka and MongoDB; the console has neither
    on_stop: int = 0  # runtime.on_stop functions in services/<name>/main.py (each bounded at ON_STOP_S)
    cpu: tuple[str, str] = ("100m", "1")
    memory: tuple[str, str] = ("256Mi", "512Mi")
    secrets: dict[str, tuple[str, str, bool]] = field(default_factory=dict)  # env → (Secret, key, optional)

    @property
    def grace_s(self) -> int:
        """SIGTERM to SIGKILL: pre-stop pause, uvicorn's drain, then every bounded stop stage."""
        if not self.backend:
            return PRE_STOP_S + UVICORN_DRAIN_S + MARGIN_S
        return PRE_STOP_S + UVICORN_DRAIN_S + RUNTIME_STOP_S + ON_STOP_S * self.on_stop + MARGIN_S


STAFF_KEYS = {"STAFF_API_KEYS": ("oppna-malmo-staff-keys", "STAFF_API_KEYS", True)}
WORKLOADS = (
    # on_stop: the staff index's loading; memory: that index (~160 MB at 50,000 initiatives)
    Workload("registry", 8101, on_stop=1, memory=("384Mi", "1Gi"), secrets=STAFF_KEYS),
    Workload("scheduling", 8102, memory=("384Mi", "1Gi"), cpu=("200m", "2"), secrets=STAFF_KEYS),  # CP-SAT placement
    Workload("notifications", 8103, on_stop=1, secrets={
        **STAFF_KEYS,
        "TOKEN_SECRET": ("notifications-secrets", "TOKEN_SECRET", False),
        "SMS_WEBHOOK_SECRET": ("notifications-secrets", "SMS_WEBHOOK_SECRET", False),
        "SMTP_USERNAME": ("notifications-secrets", "SMTP_USERNAME", True),
        "SMTP_PASSWORD": ("notifications-secrets", "SMTP_PASSWORD", True),
        "SMS_GATEWAY_TOKEN": ("notifications-secrets", "SMS_GATEWAY_TOKEN", True),
    }),
    Workload("reporting", 8104, secrets=STAFF_KEYS),
    Workload("console", 8105, backend=False, cpu=("50m", "500m"), memory=("128Mi", "256Mi"),
             secrets={"OIDC_CLIENT_SECRET": ("console-oidc", "OIDC_CLIENT_SECRET", True)}),
)


def labels(w: Workload) -> dict[str, str]:
    """The pod's labels: its name (selectors), and which data stores it may reach (policies)."""
    return {"app.kubernetes.io/name": w.name, **PART_OF, **(KAFKA_CLIENT | MONGODB_CLIENT if w.backend else {})}


def _secret_env(name: str, secret: str, key: str, optional: bool) -> dict:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key, "optional": optional}}}


def env(w: Workload) -> list[dict]:
    """The variables not in a ConfigMap: the replica's name, how many replicas run, every credential."""
    out = []
    if w.backend:
        out.append({"name": "REPLICA_ID", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}})
        # Rate limits counted in each replica's memory are divided by it (docs/security.md): keep it
        # equal to ``replicas`` (an autoscaler would make it wrong).
        out.append({"name": "REPLICA_COUNT", "value": str(w.replicas)})
        out.append({"name": "KAFKA_SASL_USERNAME", "value": w.name})  # its KafkaUser
        out.append(_secret_env("KAFKA_SASL_PASSWORD", w.name, "password", False))  # made by the User Operator
        out.append(_secret_env("MONGODB_URL", f"mongodb-{w.name}", "connectionString.standard", False))  # by the MongoDB operator
    out += [_secret_env(name, *ref) for name, ref in w.secrets.items()]
    return out


def _env_from(w: Workload) -> list[dict]:
    shared = [{"configMapRef": {"name": "oppna-malmo-config"}}] if w.backend else []
    return [*shared, {"configMapRef": {"name": f"{w.name}-config"}}]


def _probe(path: str, delay: int, period: int, failures: int) -> dict:
    return {"httpGet": {"path": path, "port": "http"}, "initialDelaySeconds": delay, "periodSeconds": period,
            "timeoutSeconds": 5, "failureThreshold": failures}


def container(w: Workload) -> dict:
    c = {
        "name": w.name,
        "image": IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "command": ["python", "-m", f"services.{w.name}"],
        "ports": [{"name": "http", "containerPort": w.port}],
        "envFrom": _env_from(w),
        "env": env(w),
        # Ready once Kafka and the database answer and every consumer runs (a new pod of a rolling
        # update serves only then); out of the endpoints after 30 s of failures, so a broker's restart
        # or a database election does not empty them. Alive while the process answers at all (a
        # liveness probe on /readyz would restart pods in a short Kafka outage).
        "readinessProbe": _probe("/readyz", 5, 5, READY_FAILURES),
        "livenessProbe": _probe("/healthz", 30, 20, 3),
        "lifecycle": {"preStop": {"exec": {"command": ["sleep", str(PRE_STOP_S)]}}},
        "resources": {"requests": {"cpu": w.cpu[0], "memory": w.memory[0]}, "limits": {"cpu": w.cpu[1], "memory": w.memory[1]}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    if w.backend:
        c["volumeMounts"].append({"name": "kafka-ca", "mountPath": KAFKA_CA_DIR, "readOnly": True})
    return c


def _volumes(w: Workload) -> list[dict]:
    volumes = [{"name": "tmp", "emptyDir": {}}]
    if w.backend:  # the cluster CA that signed the brokers' TLS certificates (Strimzi)
        volumes.append({"name": "kafka-ca", "secret": {"secretName": f"{CLUSTER}-cluster-ca-cert", "items": [{"key": "ca.crt", "path": "ca.crt"}]}})
    return volumes


def deployment(w: Workload) -> dict:
    selector = {"app.kubernetes.io/name": w.name}
    spread = {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": selector}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": w.name, "labels": {"app.kubernetes.io/name": w.name, **PART_OF}},
        "spec": {
            "replicas": w.replicas,
            # A new pod serves before an old one stops: never fewer ready replicas than asked for.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": labels(w)},
                "spec": {
                    "terminationGracePeriodSeconds": w.grace_s,
                    "automountServiceAccountToken": False,
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                    "topologySpreadConstraints": [spread],
                    "containers": [container(w)],
                    "volumes": _volumes(w),
                },
            },
        },
    }


def service(w: Workload) -> dict:
    spec: dict = {"selector": {"app.kubernetes.io/name": w.name}, "ports": [{"name": "http", "port": w.port, "targetPort": "http"}]}
    if not w.backend:  # the console's sessions live in its pod's memory (docs/decisions/0010-console-sessions.md)
        spec["sessionAffinity"] = "ClientIP"
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": w.name, "labels": {"app.kubernetes.io/name": w.name, **PART_OF}}, "spec": spec}


def disruption_budget(w: Workload) -> dict:
    """A node drain evicts one pod at a time and waits until its replacement is ready."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": w.name, "labels": {"app.kubernetes.io/name": w.name, **PART_OF}},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": w.name}}},
    }


def workloads() -> list[dict]:
    """Deployment, Service and PodDisruptionBudget of each workload, in that order."""
    return [doc for w in WORKLOADS for doc in (deployment(w), service(w), disruption_budget(w))]
