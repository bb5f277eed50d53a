"""NetworkPolicies: nothing in or out of the namespace's pods but what is named here.

- Default deny, both ways, for every pod of the namespace; DNS out for all.
- In: the console and the public pages (scheduling's programme and registration, notifications'
  sign-up, survey and unsubscribe pages and the SMS gateway's receipts, reporting's dashboard)
  only from the Ingress controller's namespace (``INGRESS_NAMESPACE``); the services' REST APIs
  from the console, which calls them; nothing else.
- Out: the services only to Kafka's brokers (TLS listener 9093) and MongoDB (27017);
  notifications also to its SMTP server and SMS gateway (``GATEWAY_PORTS``, any address: they are
  outside the cluster); the console only to the four services.
- Kafka's and MongoDB's own pods talk among themselves and to the Kubernetes API (operators'
  agents); Strimzi adds its own ingress policies for its listeners (kafka.yaml: networkPolicyPeers).
"""

from deploy.kubernetes.kafka_resources import CLUSTER
from deploy.kubernetes.workloads import MONGODB_CLIENT, PART_OF, WORKLOADS, Workload

INGRESS_NAMESPACE = "ingress-nginx"  # the Ingress controller's namespace: change to yours
KAFKA_PODS = {"strimzi.io/cluster": CLUSTER}
KAFKA_BROKERS = {"strimzi.io/cluster": CLUSTER, "strimzi.io/broker-role": "true"}
MONGODB_PODS = {"app": "oppna-malmo-mongodb-svc"}  # the label the MongoDB operator gives its members
PUBLIC = ("console", "scheduling", "notifications", "reporting")  # reached through the Ingress
GATEWAY_PORTS = (25, 465, 587, 443)  # SMTP (plain/STARTTLS, TLS, submission) and the HTTPS SMS gateway
API_SERVER_PORTS = (443, 6443)
OPERATIONS_POD = {"app.kubernetes.io/name": "operations"}


def _policy(name: str, selector: dict, ingress: list | None, egress: list | None) -> dict:
    types = [t for t, rules in (("Ingress", ingress), ("Egress", egress)) if rules is not None]
    spec: dict = {"podSelector": {"matchLabels": selector} if selector else {}, "policyTypes": types}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "labels": dict(PART_OF)}, "spec": spec}


def _ports(*ports: int) -> list[dict]:
    return [{"protocol": "TCP", "port": p} for p in ports]


def _pods(selector: dict) -> dict:
    return {"podSelector": {"matchLabels": selector}}


def _from_ingress_controller() -> dict:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": INGRESS_NAMESPACE}}}


def baseline() -> list[dict]:
    """Deny everything to and from every pod of the namespace; let every pod ask DNS."""
    dns = {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                   "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
           "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}
    return [_policy("default-deny", {}, [], []), _policy("allow-dns", {}, None, [dns])]


def workload_policy(w: Workload) -> dict:
    """What may reach ``w`` and what ``w`` may reach."""
    sources = [_from_ingress_controller()] if w.name in PUBLIC else []
    if w.backend:
        sources.append(_pods({"app.kubernetes.io/name": "console"}))
    ingress = [{"from": sources, "ports": _ports(w.port)}]
    if not w.backend:
        egress = [{"to": [_pods({"app.kubernetes.io/name": b.name})], "ports": _ports(b.port)} for b in WORKLOADS if b.backend]
    else:
        egress = [{"to": [_pods(KAFKA_BROKERS)], "ports": _ports(9093)}, {"to": [_pods(MONGODB_PODS)], "ports": _ports(27017)}]
    if w.name == "notifications":
        egress.append({"ports": _ports(*GATEWAY_PORTS)})  # no "to": the gateways are outside the cluster
    return _policy(w.name, {"app.kubernetes.io/name": w.name}, ingress, egress)


def data_store_policies() -> list[dict]:
    """Kafka's and MongoDB's pods: among themselves, from their clients, out to the Kubernetes API."""
    api = {"ports": _ports(*API_SERVER_PORTS)}
    kafka = _policy("kafka-cluster", KAFKA_PODS, None, [{"to": [_pods(KAFKA_PODS)]}, api])
    mongodb = _policy(
        "mongodb",
        MONGODB_PODS,
        [{"from": [_pods(MONGODB_PODS), _pods(MONGODB_CLIENT)], "ports": _ports(27017)}],
        [{"to": [_pods(MONGODB_PODS)], "ports": _ports(27017)}, api],
    )
    return [kafka, mongodb]


def operations_policy() -> dict:
    """A pod an operator runs for a backup or a restore (``OPERATIONS_POD``, with the data stores'
    client labels too): out to Kafka's brokers and MongoDB only, nothing in."""
    out = [{"to": [_pods(KAFKA_BROKERS)], "ports": _ports(9093)}, {"to": [_pods(MONGODB_PODS)], "ports": _ports(27017)}]
    return _policy("operations", OPERATIONS_POD, [], out)


def network_policies() -> list[dict]:
    return [*baseline(), *(workload_policy(w) for w in WORKLOADS), *data_store_policies(), operations_policy()]

