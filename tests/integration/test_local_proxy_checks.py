"""The local proxy (HAProxy, ``deploy/local/proxy.py``) in front of two replicas, as ``make run``
and ``make chaos-replicas`` run it: what an operator sees when one replica is busy, and what the
proxy writes down about a registration.

The replicas here are small HTTP servers that say who answered; HAProxy is the real one."""

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from deploy.local import proxy
from services.notifications.devservers import free_port as _free_port

pytestmark = pytest.mark.skipif(proxy.binary() is None, reason="haproxy is not installed (make test installs it)")


def _replica(name: str, ready_after_s: float, ready: bool = True, answer_after_s: float = 0.0, port: int = 0) -> ThreadingHTTPServer:
    """A replica answering every request with its name; ``/readyz`` after ``ready_after_s``
    (a replica busy with the other's share answers its checks slowly), 503 unless ``ready``
    (Kafka away: not ready, yet serving); other requests after ``answer_after_s``."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            if self.path == "/readyz":
                time.sleep(ready_after_s)
                status = status if ready else 503
            else:
                time.sleep(answer_after_s)
            body = name.encode()
            self.send_response(status)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 (http.server's names)
            self._answer(200)

        def do_POST(self):  # noqa: N802
            self._answer(201)

        def log_message(self, *args):
            pass

        def handle(self):
            try:
                super().handle()
            except (BrokenPipeError, ConnectionResetError):
                pass  # a check HAProxy gave up on: nothing to answer

    server = ThreadingHTTPServer(("127.0.0.1", port or _free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


SLOW_REPLICA = """
import sys, time
sys.path.insert(0, sys.argv[2])
from tests.integration.test_local_proxy_checks import _replica
_replica("scheduling-1", 0.0, answer_after_s=30.0, port=int(sys.argv[1]))
time.sleep(600)
"""


def _until_listening(port: int, within_s: float = 10.0) -> None:
    deadline = time.monotonic() + within_s
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture
def two_replicas(tmp_path):
    """``scheduling`` behind the proxy: replica 1 answers its checks in 2 s, replica 2 at once.
    Yields (the proxy's address, its log file)."""
    busy, quick = _replica("scheduling-1", 2.0), _replica("scheduling-2", 0.0)
    port, log = _free_port(), tmp_path / "proxy.log"
    backends = {"scheduling": (port, [("scheduling-1", busy.server_port), ("scheduling-2", quick.server_port)])}
    haproxy = proxy.start(tmp_path / "haproxy.cfg", log, backends)
    try:
        _until_listening(port)
        yield f"http://127.0.0.1:{port}", log
    finally:
        haproxy.kill()
        haproxy.wait()
        busy.shutdown()
        quick.shutdown()


def test_a_replica_slow_to_answer_its_checks_keeps_serving_its_share(two_replicas):
    address, log = two_replicas
    time.sleep(6)  # several checks of each: a 1 s check timeout would have taken replica 1 down by now
    answered = {httpx.get(f"{address}/v1/programme").text for _ in range(10)}
    assert answered == {"scheduling-1", "scheduling-2"}, log.read_text()
    assert "is DOWN" not in log.read_text()


def test_a_registration_is_logged_with_its_replica_and_timings_but_not_the_residents_address(two_replicas):
    address, log = two_replicas
    answer = httpx.post(f"{address}/v1/sessions/s-1/registrations", json={"name": "Amal"})
    httpx.get(f"{address}/v1/programme")
    time.sleep(0.5)
    lines = [line for line in log.read_text().splitlines() if "HTTP/1.1" in line]
    assert len(lines) == 1, "only registrations are logged"
    line = lines[0]
    assert f"scheduling-by-aggregate/{answer.text} " in line and " 201 " in line
    assert '"POST /v1/sessions/s-1/registrations HTTP/1.1"' in line
    assert "127.0.0.1:" not in line, "the client's address is a resident's"


def test_registrations_in_flight_on_a_killed_replica_are_answered_by_the_other(tmp_path):
    """The other replica is serving but not ready (Kafka away), so the proxy has only the killed
    one up: the retries of what it had in flight must not all go to it again before its next
    check, but to the other as a backup."""
    port, log = _free_port(), tmp_path / "proxy.log"
    other = _replica("scheduling-2", 0.0, ready=False)
    killed_port = _free_port()
    killed = subprocess.Popen([sys.executable, "-c", SLOW_REPLICA, str(killed_port), os.getcwd()], start_new_session=True)
    backends = {"scheduling": (port, [("scheduling-1", killed_port), ("scheduling-2", other.server_port)])}
    haproxy = proxy.start(tmp_path / "haproxy.cfg", log, backends)
    try:
        _until_listening(killed_port)
        _until_listening(port)
        time.sleep(3)  # the other is down in the proxy's view (two failed checks)

        async def register_eight() -> list[str]:
            async with httpx.AsyncClient(timeout=20) as http:
                async def one(n: int) -> str:
                    answer = await http.post(f"http://127.0.0.1:{port}/v1/sessions/s-{n}/registrations", json={},
                                             headers={"idempotency-key": f"key-{n}"})
                    return f"{answer.status_code} {answer.text}"

                sent = asyncio.gather(*(one(n) for n in range(8)))
                await asyncio.sleep(1.0)  # all eight are in the killed replica now
                os.killpg(killed.pid, signal.SIGKILL)
                return await sent

        assert asyncio.run(register_eight()) == ["201 scheduling-2"] * 8, log.read_text()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()
        haproxy.kill()
        haproxy.wait()
        other.shutdown()
