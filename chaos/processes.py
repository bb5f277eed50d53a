"""The four services as their own processes, started, SIGKILLed and restarted by the run.

With ``replicas`` > 1 each service runs as that many processes ``<service>-<n>`` (REPLICA_ID) on
the port + 1000·n, behind the local proxy (``deploy/local/proxy.py``, HAProxy) on the service's
port, as ``make run`` does: the run and the checks call the one address, and a kill takes one
replica while the others serve.
"""

import json
import hashlib
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from chaos.engines import HOME, ROOT
from deploy.local import proxy
from deploy.local.services import signed_in_as

PORTS = {"registry": 8201, "scheduling": 8202, "notifications": 8203, "reporting": 8204}
LOGS = HOME / "logs"
PYTHON = ROOT / ".venv" / "bin" / "python"


def staff_keys() -> dict[str, str]:
    return {role: f"om_chaos{role}_{secrets.token_urlsafe(24)}" for role in ("curator", "scheduler", "analyst")}


def url(service: str) -> str:
    return f"http://127.0.0.1:{PORTS[service]}"


def service_of(name: str) -> str:
    """The service a process belongs to (``scheduling-2`` → ``scheduling``)."""
    return name if name in PORTS else name.rsplit("-", 1)[0]


@dataclass
class Services:
    engines: dict[str, str]
    keys: dict[str, str]
    extra: dict[str, dict[str, str]] = field(default_factory=dict)  # per service settings
    replicas: int = 1
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)  # by process name (``instances``)
    kills: dict[str, int] = field(default_factory=lambda: {s: 0 for s in PORTS})
    proxy: subprocess.Popen | None = None

    def instances(self, service: str) -> list[str]:
        """The processes of ``service``: itself alone, or ``<service>-<n>`` when it has replicas."""
        return [service] if self.replicas == 1 else [f"{service}-{n}" for n in range(1, self.replicas + 1)]

    def port(self, name: str) -> int:
        return PORTS[name] if name in PORTS else PORTS[service_of(name)] + 1000 * int(name.rsplit("-", 1)[1])

    def env(self, name: str) -> dict[str, str]:
        service = service_of(name)
        staff = {f"chaos{role}": {"role": role, "sha256": hashlib.sha256(key.encode()).hexdigest()} for role, key in self.keys.items()}
        return {
            **os.environ,
            **self.engines,
            **signed_in_as(service, self.engines),  # its own principal and ACLs, as in make run
            "HTTP_PORT": str(self.port(name)),
            "REPLICA_ID": name if name != service else f"{service}-1",
            "REPLICA_COUNT": str(self.replicas),
            "PUBLIC_BASE_URL": url(service),
            "LOG_JSON": "true",
            "LOG_LEVEL": "info",
            "STAFF_API_KEYS": json.dumps(staff),
            # The run's clients are many residents behind one address (127.0.0.1).
            "SIGNUP_RATE_PER_MINUTE": "1000000",
            **self.extra.get(service, {}),
        }

    def start(self, name: str) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        log = open(LOGS / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(
            [str(PYTHON), "-m", f"services.{service_of(name)}"], cwd=ROOT, env=self.env(name),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()

    def start_all(self) -> None:
        for service in PORTS:
            for name in self.instances(service):
                self.start(name)
        if self.replicas > 1:
            self.start_proxy()
        self.wait_ready(list(PORTS))

    def start_proxy(self) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        backends = {s: (PORTS[s], [(n, self.port(n)) for n in self.instances(s)]) for s in PORTS}
        self.proxy = proxy.start(HOME / "haproxy.cfg", LOGS / "proxy.log", backends)

    def ready(self, name: str) -> bool:
        """The process answers /readyz on its own port."""
        try:
            return httpx.get(f"http://127.0.0.1:{self.port(name)}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, services: list[str], timeout: float = 120) -> None:
        """Every process of ``services`` ready (a dead one is started again)."""
        deadline = time.monotonic() + timeout
        waiting = {name for service in services for name in self.instances(service)}
        while waiting:
            for name in sorted(waiting):
                if self.ready(name):
                    waiting.discard(name)
                proc = self.procs.get(name)
                if proc is not None and proc.poll() is not None:
                    self.start(name)  # died on its own (e.g. an engine was away at start): start again
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout:.0f} s: {sorted(waiting)}; logs in {LOGS}")
            time.sleep(0.3)

    def others_ready(self, name: str) -> bool:
        """Every other replica of ``name``'s service is ready (so a kill of ``name`` leaves one serving)."""
        return all(self.ready(other) for other in self.instances(service_of(name)) if other != name)

    def kill(self, name: str) -> bool:
        """SIGKILL: no drain, no goodbye; whatever was in flight is in flight."""
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return False
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        self.kills[service_of(name)] += 1
        return True

    def restart_dead(self) -> list[str]:
        dead = [s for s, p in self.procs.items() if p.poll() is not None]
        for name in dead:
            self.start(name)
        if self.proxy is not None and self.proxy.poll() is not None:
            self.start_proxy()
        return dead

    def stop_all(self) -> None:
        running = [*self.procs.values(), *([self.proxy] if self.proxy is not None else [])]
        for proc in running:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in running:
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def log_files() -> list[Path]:
    return sorted(LOGS.glob("*.log")) if LOGS.is_dir() else []
