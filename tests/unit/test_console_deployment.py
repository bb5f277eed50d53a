"""The console in the deployment files agrees with its settings: docker-compose.yml and
deploy/kubernetes/ run ``services.console`` on its port, probe ``/readyz``, name only real
settings, and point it at the four services; it gets no Kafka and no database."""

from urllib.parse import urlsplit

from services.console.settings import ConsoleSettings
from tests.unit.test_deployment_files import command, environment, healthcheck_text, load_compose, published_ports
from tests.unit.test_kubernetes_resources import _of_kind, container_env, container_of, load_kubernetes

PORT = ConsoleSettings.model_fields["http_port"].default
SERVICE_URLS = {"REGISTRY_URL": ("registry", 8101), "SCHEDULING_URL": ("scheduling", 8102),
                "NOTIFICATIONS_URL": ("notifications", 8103), "REPORTING_URL": ("reporting", 8104)}


def _points_at_the_services(env: dict[str, str | None]) -> None:
    for name, (host, port) in SERVICE_URLS.items():
        parts = urlsplit(env.get(name) or "")
        assert (parts.hostname, parts.port) == (host, port), f"{name}={env.get(name)!r}, expected http://{host}:{port}"


def test_compose_runs_the_console_on_its_port_without_kafka_or_a_database():
    compose = load_compose()
    service = compose["services"]["console"]
    assert command(service)[-2:] == ["-m", "services.console"] and "build" in service
    env = environment(service)
    assert sorted(k for k in env if k.lower() not in ConsoleSettings.model_fields) == []
    assert env["HTTP_HOST"] == "0.0.0.0" and env["HTTP_PORT"] == str(PORT) == "8105"
    assert published_ports(service) == [("127.0.0.1", PORT, PORT)]
    assert f"http://127.0.0.1:{PORT}/readyz" in healthcheck_text(service)
    _points_at_the_services(env)
    assert not {"KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URL"} & set(env)
    assert compose["services"]["console"]["depends_on"]["registry"]["condition"] == "service_healthy"


def test_kubernetes_runs_console_replicas_that_keep_each_person_on_one_pod():
    """Two replicas for availability; a session lives in one pod's memory (decision 0010), so the
    Ingress keeps a browser on one pod by cookie and the Service by client address."""
    documents = load_kubernetes()
    deployment = _of_kind(documents, "Deployment")["console"]
    assert deployment["spec"]["replicas"] >= 2
    container = container_of(documents, "console")
    assert container["command"][-2:] == ["-m", "services.console"]
    env = {k: v for k, v in container_env(documents, "console").items() if isinstance(v, str)}
    assert sorted(k for k in container_env(documents, "console") if k.lower() not in ConsoleSettings.model_fields) == []
    assert env["HTTP_PORT"] == str(PORT) and [p["containerPort"] for p in container["ports"]] == [PORT]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    _points_at_the_services(env)
    assert not {"KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URL"} & set(env)
    service = _of_kind(documents, "Service")["console"]["spec"]
    assert [p["port"] for p in service["ports"]] == [PORT] and service["sessionAffinity"] == "ClientIP"
    ingress = _of_kind(documents, "Ingress")["console"]["metadata"]["annotations"]
    assert ingress["nginx.ingress.kubernetes.io/affinity"] == "cookie"


def test_make_run_starts_the_console_and_make_env_prints_its_url():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "deploy" / "local" / "services.py"
    spec = importlib.util.spec_from_file_location("local_services", path)
    local = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(local)
    assert local.SERVICES["console"] == PORT
