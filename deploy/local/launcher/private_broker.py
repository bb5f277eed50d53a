"""A Kafka broker of a test's or a benchmark's own: one KRaft node on free ports, its data and log
in a directory of its own that is removed when it stops. The platform's broker is never touched.

The same Kafka jars and Java as the local launcher (``kafka.py``). The caller writes the broker's
``server.properties`` (``properties(home, ports)``); ``ports`` holds a free port for each listener
name asked for and for ``CONTROLLER``. Contract: the broker answers on the first listener before
the context is entered, and is stopped (and its directory removed) on leaving it, even when the
caller's process is killed (it dies with its parent).
"""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .common import HOST, ROOT
from .kafka import KAFKA_LIBS, KAFKA_LOG4J, kafka_java, kafka_resolve_jars
from .probes import kafka_answers
from .processes import run

PR_SET_PDEATHSIG = 1  # prctl(2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child: SIGTERM when the parent dies, even killed (no broker left behind)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.contextmanager
def private_broker(properties: Callable[[Path, dict[str, int]], str], listeners: Sequence[str] = ("PLAINTEXT",),
                   format_args: Sequence[str] = (), prefix: str = "private-broker-", start_timeout: float = 120) -> Iterator[dict[str, int]]:
    """A started broker; yields its ports by listener name (``listeners`` and ``CONTROLLER``).
    ``format_args`` go to the storage format (e.g. ``--add-scram``: users known from the start)."""
    kafka_resolve_jars()
    (ROOT / ".cache").mkdir(exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix=prefix, dir=ROOT / ".cache"))
    ports = {name: free_port() for name in (*listeners, "CONTROLLER")}
    props = home / "server.properties"
    props.write_text(properties(home, ports))
    java = [kafka_java(), "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={KAFKA_LOG4J}", f"-Dkafka.logs.dir={home}", "-cp", f"{KAFKA_LIBS}/*"]
    cluster_id = run(java + ["kafka.tools.StorageTool", "random-uuid"], what="kafka random-uuid").strip().splitlines()[-1]
    run(java + ["kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(props), "-g", *format_args], what="kafka format")
    with open(home / "kafka.log", "wb") as log:
        proc = subprocess.Popen(java[:1] + ["-Xms128m", "-Xmx384m"] + java[1:] + ["kafka.Kafka", str(props)],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                preexec_fn=_die_with_parent)
    try:
        deadline = time.monotonic() + start_timeout
        while not kafka_answers(ports[listeners[0]]):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the private broker did not start:\n{(home / 'kafka.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield ports
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        shutil.rmtree(home, ignore_errors=True)
