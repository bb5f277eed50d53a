"""deploy/kubernetes/'s network: every pod denied all but what a NetworkPolicy names, the services
reached by the console and (the public ones) the Ingress controller, reaching only Kafka and
MongoDB (notifications also its gateways), and the Ingress routing only public paths, each to a
route its service's app answers."""

import functools
import importlib
from urllib.parse import urlsplit

import pytest

from deploy.kubernetes import kafka_resources as kafka
from deploy.kubernetes.workloads import WORKLOADS
from services.console.settings import ConsoleSettings
from tests.unit.test_kubernetes_resources import BACKENDS, PUBLIC_PAGES, _of_kind, container_of, load_kubernetes, settings_from


@pytest.fixture(scope="module")
def kubernetes() -> list[dict]:
    return load_kubernetes()


def _rules(policy: dict, direction: str) -> list[dict]:
    return policy["spec"].get(direction, [])


def _peer_labels(rule: dict, side: str) -> list[dict]:
    return [peer.get("podSelector", {}).get("matchLabels") or peer.get("namespaceSelector", {}).get("matchLabels") for peer in rule.get(side, [])]


def _ports(rule: dict) -> set[int]:
    return {p["port"] for p in rule.get("ports", [])}


def test_every_pod_is_denied_all_traffic_but_what_a_policy_names(kubernetes):
    policies = _of_kind(kubernetes, "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [], "egress": []}
    assert {w.name for w in WORKLOADS} <= set(policies)


@pytest.mark.parametrize("name", BACKENDS)
def test_a_service_reaches_only_kafka_and_mongodb_and_is_reached_by_the_console(kubernetes, name):
    policy = _of_kind(kubernetes, "NetworkPolicy")[name]
    port = container_of(kubernetes, name)["ports"][0]["containerPort"]
    [ingress] = _rules(policy, "ingress")
    sources = _peer_labels(ingress, "from")
    assert {"app.kubernetes.io/name": "console"} in sources and _ports(ingress) == {port}
    from_ingress_controller = {"kubernetes.io/metadata.name": "ingress-nginx"} in sources
    assert from_ingress_controller == (name in PUBLIC_PAGES) and len(sources) == 1 + from_ingress_controller
    mongodb = _of_kind(kubernetes, "MongoDBCommunity")["oppna-malmo-mongodb"]["metadata"]["name"]
    egress = {tuple(sorted(_peer_labels(rule, "to")[0].items())) if rule.get("to") else None: _ports(rule) for rule in _rules(policy, "egress")}
    expected = {(("strimzi.io/broker-role", "true"), ("strimzi.io/cluster", kafka.CLUSTER)): {9093}, (("app", f"{mongodb}-svc"),): {27017}}
    if name == "notifications":  # its SMTP server and SMS gateway, outside the cluster
        expected[None] = {25, 465, 587, 443}
        settings = settings_from(kubernetes, name)
        gateway = urlsplit(settings.sms_gateway_url)
        assert {settings.smtp_port, gateway.port or {"https": 443, "http": 80}[gateway.scheme]} <= expected[None]  # as configured
    assert egress == expected
    pod = _of_kind(kubernetes, "Deployment")[name]["spec"]["template"]["metadata"]["labels"]
    [peer] = _of_kind(kubernetes, "Kafka")[kafka.CLUSTER]["spec"]["kafka"]["listeners"][0]["networkPolicyPeers"]
    assert peer["podSelector"]["matchLabels"].items() <= pod.items()  # Strimzi's listener policy lets it in


def test_the_console_is_reached_through_the_ingress_and_reaches_only_the_services(kubernetes):
    policy = _of_kind(kubernetes, "NetworkPolicy")["console"]
    [ingress] = _rules(policy, "ingress")
    assert _peer_labels(ingress, "from") == [{"kubernetes.io/metadata.name": "ingress-nginx"}]
    services = {n: container_of(kubernetes, n)["ports"][0]["containerPort"] for n in BACKENDS}
    assert {_peer_labels(r, "to")[0]["app.kubernetes.io/name"]: _ports(r) for r in _rules(policy, "egress")} == {n: {p} for n, p in services.items()}


@functools.cache
def _app_paths(name: str) -> frozenset[str]:
    """The paths the service's app answers (its app built, nothing connected)."""
    main = importlib.import_module(f"services.{name}.main")
    app = main.create_app(ConsoleSettings() if name == "console" else kafka.settings_of(name))
    return frozenset(_walk(app.routes))


def _walk(routes, prefix: str = ""):
    for route in routes:
        if hasattr(route, "original_router"):  # an included router, as this FastAPI keeps it
            yield from _walk(route.original_router.routes, prefix + route.include_context.prefix)
        elif getattr(route, "path", None):
            yield prefix + route.path


def test_the_ingress_routes_only_public_paths_each_to_a_route_of_its_service(kubernetes):
    services = _of_kind(kubernetes, "Service")
    routed = set()
    for ingress in _of_kind(kubernetes, "Ingress").values():
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                assert backend["port"]["number"] == services[backend["name"]]["spec"]["ports"][0]["port"]
                routed.add(backend["name"])
                paths = _app_paths(backend["name"])
                p = path["path"]
                assert p in paths or (path["pathType"] == "Prefix" and any(q.startswith(p.rstrip("/") + "/") for q in paths)), f"{backend['name']}: no route {p}"
                if backend["name"] != "console":
                    assert p == "/" and path["pathType"] == "Exact" or not p.startswith(("/v1/analyst", "/v1/rebuild", "/metrics", "/docs"))
    assert routed == {"console", *PUBLIC_PAGES}  # never the registry's API


def test_mongodb_accepts_only_its_members_and_the_services(kubernetes):
    policy = _of_kind(kubernetes, "NetworkPolicy")["mongodb"]
    [ingress] = _rules(policy, "ingress")
    members = {"app": "oppna-malmo-mongodb-svc"}
    assert policy["spec"]["podSelector"]["matchLabels"] == members and _ports(ingress) == {27017}
    allowed = _peer_labels(ingress, "from")
    assert members in allowed and len(allowed) == 2
    [clients] = [a for a in allowed if a != members]
    for w in WORKLOADS:
        pod = _of_kind(kubernetes, "Deployment")[w.name]["spec"]["template"]["metadata"]["labels"]
        assert (clients.items() <= pod.items()) == w.backend  # the four services, never the console


def test_an_operations_pod_reaches_only_kafka_and_mongodb(kubernetes):
    """Backups and restores run from a pod labelled as in deploy/README.md; nothing reaches it."""
    policy = _of_kind(kubernetes, "NetworkPolicy")["operations"]
    assert policy["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "operations"}
    assert policy["spec"]["ingress"] == []
    egress = {tuple(sorted(_peer_labels(r, "to")[0].items())): _ports(r) for r in _rules(policy, "egress")}
    assert egress == {(("strimzi.io/broker-role", "true"), ("strimzi.io/cluster", kafka.CLUSTER)): {9093}, (("app", "oppna-malmo-mongodb-svc"),): {27017}}


def test_a_sessions_registrations_go_to_one_scheduling_pod(kubernetes):
    """Its seat desk groups them in one pod's memory; two pods would take turns at its lease."""
    sessions = _of_kind(kubernetes, "Ingress")["programme-sessions"]
    assert sessions["metadata"]["annotations"]["nginx.ingress.kubernetes.io/upstream-hash-by"] == "$uri"  # the path, not the query
    [rule] = sessions["spec"]["rules"]
    [path] = rule["http"]["paths"]
    assert (path["path"], path["pathType"], path["backend"]["service"]["name"]) == ("/programme/sessions", "Prefix", "scheduling")
    assert "/programme/sessions/{session_id}/register" in _app_paths("scheduling")
