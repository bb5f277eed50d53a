"""The four services as their own processes, started, SIGKILLed and restarted by the run."""

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

PORTS = {"registry": 8201, "scheduling": 8202, "notifications": 8203, "reporting": 8204}
LOGS = HOME / "logs"
PYTHON = ROOT / ".venv" / "bin" / "python"


def staff_keys() -> dict[str, str]:
    return {role: f"om_chaos{role}_{secrets.token_urlsafe(24)}" for role in ("curator", "scheduler", "analyst")}


def url(service: str) -> str:
    return f"http://127.0.0.1:{PORTS[service]}"


@dataclass
class Services:
    engines: dict[str, str]
    keys: dict[str, str]
    extra: dict[str, dict[str, str]] = field(default_factory=dict)  # per service settings
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    kills: dict[str, int] = field(default_factory=lambda: {s: 0 for s in PORTS})

    def env(self, service: str) -> dict[str, str]:
        staff = {f"chaos{role}": {"role": role, "sha256": hashlib.sha256(key.encode()).hexdigest()} for role, key in self.keys.items()}
        return {
            **os.environ,
            **self.engines,
            "HTTP_PORT": str(PORTS[service]),
            "LOG_JSON": "true",
            "LOG_LEVEL": "info",
            "STAFF_API_KEYS": json.dumps(staff),
            # The run's clients are many residents behind one address (127.0.0.1).
            "SIGNUP_RATE_PER_MINUTE": "1000000",
            **self.extra.get(service, {}),
        }

    def start(self, service: str) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        log = open(LOGS / f"{service}.log", "ab")
        self.procs[service] = subprocess.Popen(
            [str(PYTHON), "-m", f"services.{service}"], cwd=ROOT, env=self.env(service),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()

    def start_all(self) -> None:
        for service in PORTS:
            self.start(service)
        self.wait_ready(list(PORTS))

    def wait_ready(self, services: list[str], timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        waiting = set(services)
        while waiting:
            for service in sorted(waiting):
                try:
                    if httpx.get(f"{url(service)}/readyz", timeout=2).status_code == 200:
                        waiting.discard(service)
                except httpx.HTTPError:
                    pass
                proc = self.procs.get(service)
                if proc is not None and proc.poll() is not None:
                    self.start(service)  # died on its own (e.g. an engine was away at start): start again
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout:.0f} s: {sorted(waiting)}; logs in {LOGS}")
            time.sleep(0.3)

    def kill(self, service: str) -> bool:
        """SIGKILL: no drain, no goodbye; whatever was in flight is in flight."""
        proc = self.procs.get(service)
        if proc is None or proc.poll() is not None:
            return False
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        self.kills[service] += 1
        return True

    def restart_dead(self) -> list[str]:
        dead = [s for s, p in self.procs.items() if p.poll() is not None]
        for service in dead:
            self.start(service)
        return dead

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def log_files() -> list[Path]:
    return sorted(LOGS.glob("*.log")) if LOGS.is_dir() else []
