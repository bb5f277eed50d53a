#!/usr/bin/env python3
"""Runs the four services and the console as local processes on the local Kafka and FerretDB.

    python deploy/local/services.py start   [start what is not running; wait until ready]
    python deploy/local/services.py stop    [SIGTERM: each service drains, then exits]
    python deploy/local/services.py status
    python deploy/local/services.py env     [infrastructure and service URLs as KEY=VALUE]

Ports: OM_REGISTRY_PORT (8101), OM_SCHEDULING_PORT (8102), OM_NOTIFICATIONS_PORT (8103),
OM_REPORTING_PORT (8104), OM_CONSOLE_PORT (8105: the staff's and organisers' pages, which call the other four by
their URLs; it needs neither Kafka nor a database). Logs (JSON lines) in .cache/run/logs/, pids in .cache/run/pids/; standard library only.

Replicas: OM_REPLICAS (default 1; ``make run`` sets 2) processes ``<service>-<n>`` (REPLICA_ID) of
each service; with more than one, replica n listens on the port + 1000·n behind the local proxy
(``proxy.py``, HAProxy) on the service's port. The console stays one process (sessions in memory).

Beside them, the local stand-ins for an e-mail server and an SMS provider
(``services/notifications/devservers/``; OM_SMTP_PORT 2525, OM_SMS_PORT 8190): the demo's
messages are delivered and can be read at ``MAILBOX_URL`` (every e-mail and SMS received, as
JSON), instead of being retried against servers that are not there until they expire.
"""

import argparse
import hashlib
import importlib.util
import json
import secrets
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RUN = Path(os.environ.get("OM_RUN_DIR") or ROOT / ".cache" / "run").resolve()  # a second platform beside the first
SERVICES = {"registry": 8101, "scheduling": 8102, "notifications": 8103, "reporting": 8104, "console": 8105}
PYTHON = ROOT / ".venv" / "bin" / "python"
READY_WITHIN_S = 90
PROXY = "proxy"
CONSOLE = "console"
DEVSERVERS = "devservers"


def smtp_port() -> int:
    return int(os.environ.get("OM_SMTP_PORT", 2525))


def sms_port() -> int:
    return int(os.environ.get("OM_SMS_PORT", 8190))


def mailbox_url() -> str:
    return f"http://127.0.0.1:{sms_port()}/_received"


def port(service: str) -> int:
    return int(os.environ.get(f"OM_{service.upper()}_PORT", SERVICES[service]))


def url(service: str) -> str:
    return f"http://127.0.0.1:{port(service)}"


def replicas() -> int:
    """How many processes of each service: OM_REPLICAS at start, then as the running platform was started."""
    kept = RUN / "replicas"
    if os.environ.get("OM_REPLICAS"):
        return max(1, int(os.environ["OM_REPLICAS"]))
    return int(kept.read_text()) if kept.exists() else 1


def instances(service: str, count: int | None = None) -> list[tuple[str, int]]:
    """The processes of a service: ``(name, port)``; the console is one process, named as itself."""
    count = replicas() if count is None else count
    if service == CONSOLE:
        return [(CONSOLE, port(CONSOLE))]
    if count == 1:
        return [(f"{service}-1", port(service))]
    return [(f"{service}-{n}", port(service) + 1000 * n) for n in range(1, count + 1)]


def infra_env() -> dict[str, str]:
    out = subprocess.run([sys.executable, str(HERE / "infra.py"), "env"], capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def pid_of(service: str) -> int | None:
    path = RUN / "pids" / f"{service}.pid"
    try:
        pid = int(path.read_text())
        os.kill(pid, 0)
        return None if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z" else pid  # a zombie is not running
    except (OSError, ValueError):
        return None


def ready(service: str, timeout: float = 2.0, at: int | None = None) -> bool:
    """The service (through its one address), or the process listening on port ``at``, answers /readyz."""
    base = url(service) if at is None else f"http://127.0.0.1:{at}"
    try:
        with urllib.request.urlopen(f"{base}/readyz", timeout=timeout) as r:
            return r.status == 200
    except Exception:
        return False


def staff_keys() -> dict[str, str]:
    """Local staff keys (role → key), made once and kept in .cache/run/staff-keys.json."""
    path = RUN / "staff-keys.json"
    if not path.exists():
        keys = {role: f"om_local{role}_{secrets.token_urlsafe(24)}" for role in ("curator", "scheduler", "analyst")}
        path.write_text(json.dumps(keys, indent=2))
        path.chmod(0o600)
    return json.loads(path.read_text())


def staff_setting() -> str:
    return json.dumps({f"local{role}": {"role": role, "sha256": hashlib.sha256(key.encode()).hexdigest()} for role, key in staff_keys().items()})


def start_devservers() -> bool:
    """The local SMTP sink and SMS gateway, once; True when they answer."""
    if not pid_of(DEVSERVERS):
        log = open(RUN / "logs" / f"{DEVSERVERS}.log", "ab")
        proc = subprocess.Popen(
            [str(PYTHON), "-m", "services.notifications.devservers", "--smtp-port", str(smtp_port()), "--sms-port", str(sms_port()),
             "--webhook-url", f"{url('notifications')}/v1/sms/receipts"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        (RUN / "pids" / f"{DEVSERVERS}.pid").write_text(str(proc.pid))
        print(f"  {DEVSERVERS}: started (pid {proc.pid}): e-mail and SMS land at {mailbox_url()}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(mailbox_url(), timeout=2) as r:
                if r.status == 200:
                    return True
        except Exception:
            pass
        if not pid_of(DEVSERVERS):
            break
        time.sleep(0.3)
    print(f"{DEVSERVERS} did not answer; the end of its log:\n" + tail(DEVSERVERS), file=sys.stderr)
    return False


def running_names() -> list[str]:
    """Every process this launcher started and that still runs (by its pid file), but the devservers."""
    return [p.stem for p in sorted((RUN / "pids").glob("*.pid")) if p.stem != DEVSERVERS and pid_of(p.stem)]


def start() -> int:
    (RUN / "logs").mkdir(parents=True, exist_ok=True)
    (RUN / "pids").mkdir(parents=True, exist_ok=True)
    count, kept = replicas(), RUN / "replicas"
    if kept.exists() and int(kept.read_text()) != count and running_names():
        print(f"running with {kept.read_text()} replicas of each service; stop it first to start {count}", file=sys.stderr)
        return 1
    kept.write_text(str(count))
    if not start_devservers():
        return 1
    env = {**os.environ, **infra_env(), "LOG_JSON": "true", "STAFF_API_KEYS": staff_setting(),
           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port()), "SMS_GATEWAY_URL": f"http://127.0.0.1:{sms_port()}",
           **{f"{other.upper()}_URL": url(other) for other in SERVICES if other != CONSOLE}}  # where the console calls them
    for service in SERVICES:
        for name, at in instances(service, count):
            # every replica writes links to the service's one address, not to its own port
            launch(name, service, {**env, **signed_in_as(service, env), "HTTP_PORT": str(at), "REPLICA_ID": name, "REPLICA_COUNT": str(count),
                                   "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL") or url(service)})
    if count > 1 and not start_proxy(count):
        return 1
    return wait_ready(count)


def signed_in_as(service: str, env: dict[str, str]) -> dict[str, str]:
    """The service's own Kafka principal, where the launcher made one (``infra.py env`` prints
    ``KAFKA_SASL_PASSWORD_<SERVICE>``): each service runs with exactly its ACLs, never as admin."""
    password = env.get(f"KAFKA_SASL_PASSWORD_{service.upper()}")
    return {"KAFKA_SASL_USERNAME": service, "KAFKA_SASL_PASSWORD": password} if password else {}


def launch(name: str, service: str, env: dict[str, str]) -> None:
    """One process of ``service`` named ``name`` (its pid and log files), unless it runs."""
    if pid_of(name):
        print(f"  {name}: running (pid {pid_of(name)})")
        return
    with open(RUN / "logs" / f"{name}.log", "ab") as log:
        proc = subprocess.Popen([str(PYTHON), "-m", f"services.{service}"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    (RUN / "pids" / f"{name}.pid").write_text(str(proc.pid))
    print(f"  {name}: started (pid {proc.pid}) on port {env['HTTP_PORT']}")


def start_proxy(count: int) -> bool:
    """The local proxy on each service's port, in front of its replicas (``proxy.py``)."""
    if pid_of(PROXY):
        print(f"  {PROXY}: running (pid {pid_of(PROXY)})")
        return True
    spec = importlib.util.spec_from_file_location("om_local_proxy", HERE / "proxy.py")
    spec.loader.exec_module(proxy := importlib.util.module_from_spec(spec))
    try:
        proc = proxy.start(RUN / "haproxy.cfg", RUN / "logs" / f"{PROXY}.log",
                           {service: (port(service), instances(service, count)) for service in SERVICES if service != CONSOLE})
    except RuntimeError as e:
        print(f"{PROXY}: {e}", file=sys.stderr)
        return False
    (RUN / "pids" / f"{PROXY}.pid").write_text(str(proc.pid))
    print(f"  {PROXY}: started (pid {proc.pid}): one address per service, {count} replicas each ({RUN / 'haproxy.cfg'})")
    return True


def wait_ready(count: int) -> int:
    """Every process ready on its own port, and every service through its one address."""
    waiting = {(name, service, at) for service in SERVICES for name, at in instances(service, count)}
    waiting |= {(f"{service} (proxy)", service, None) for service in SERVICES if service != CONSOLE and count > 1}
    deadline = time.monotonic() + READY_WITHIN_S
    while waiting and time.monotonic() < deadline:
        for name, service, at in sorted(waiting, key=str):
            if ready(service, at=at):
                waiting.discard((name, service, at))
            elif not pid_of(name if at is not None else PROXY):
                print(f"{name} exited; the end of its log:\n" + tail(name if at is not None else PROXY), file=sys.stderr)
                return 1
        time.sleep(0.3)
    if waiting:
        print(f"not ready in time: {sorted(n for n, _, _ in waiting)}; the end of their logs is in {RUN / 'logs'}", file=sys.stderr)
        return 1
    return 0


def tail(service: str, lines: int = 30) -> str:
    try:
        return "\n".join((RUN / "logs" / f"{service}.log").read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop() -> int:
    _stop([n for n in running_names() if n != PROXY])
    _stop([PROXY, DEVSERVERS])  # after the services: a draining service may still send
    return 0


def _stop(names: list[str]) -> None:
    """SIGTERM to each, then wait up to 30 s in all; SIGKILL whatever is still running."""
    for name in names:
        pid = pid_of(name)
        if pid:
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    for name in names:
        while pid_of(name) and time.monotonic() < deadline:
            time.sleep(0.2)
        pid = pid_of(name)
        if pid:
            os.kill(pid, signal.SIGKILL)
        (RUN / "pids" / f"{name}.pid").unlink(missing_ok=True)
        print(f"  {name}: stopped")


def status() -> int:
    ok, count = True, replicas()
    for service in SERVICES:
        for name, at in instances(service, count):
            pid, is_ready = pid_of(name), ready(service, at=at)
            ok &= is_ready
            print(f"  {name:<16} {'http://127.0.0.1:' + str(at):<24} {'pid ' + str(pid) if pid else 'not running':<12} {'ready' if is_ready else 'NOT ready'}")
    if count > 1:
        pid = pid_of(PROXY)
        ok &= all(ready(service) for service in SERVICES)
        print(f"  {PROXY:<16} {'ports ' + ', '.join(str(port(s)) for s in SERVICES if s != CONSOLE):<24} {'pid ' + str(pid) if pid else 'not running'}")
    pid = pid_of(DEVSERVERS)
    print(f"  {DEVSERVERS:<16} {mailbox_url():<24} {'pid ' + str(pid) if pid else 'not running'}")
    return 0 if ok else 1


def env() -> int:
    """The one address of each service (the proxy's, with replicas), the engines' and the keys."""
    for key, value in infra_env().items():
        print(f"{key}={value}")
    for service in SERVICES:
        print(f"{service.upper()}_URL={url(service)}")
    print(f"MAILBOX_URL={mailbox_url()}")
    if (RUN / "staff-keys.json").exists():
        for role, key in staff_keys().items():
            print(f"{role.upper()}_API_KEY={key}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop", "status", "env"])
    return {"start": start, "stop": stop, "status": status, "env": env}[parser.parse_args().command]()


if __name__ == "__main__":
    raise SystemExit(main())
