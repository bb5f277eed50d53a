"""A Kafka broker of the test's own whose DEFAULT time-based retention is seconds: a topic that
states no retention of its own loses its messages seconds after they were written.

The same Kafka jars and Java as the local launcher (deploy/local/launcher/kafka.py), one KRaft
node on free ports, its data and logs in a directory of its own that is removed at the end; the
shared test broker is never touched."""

import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from deploy.local.launcher.common import ROOT
from deploy.local.launcher.kafka import KAFKA_LIBS, KAFKA_LOG4J, kafka_java, kafka_resolve_jars
from deploy.local.launcher.probes import kafka_answers
from deploy.local.launcher.processes import run

HOST = "127.0.0.1"
PR_SET_PDEATHSIG = 1  # prctl(2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _properties(home: Path, port: int, controller: int, retention_ms: int) -> str:
    return f"""process.roles=broker,controller
node.id=1
controller.quorum.voters=1@{HOST}:{controller}
listeners=PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller}
advertised.listeners=PLAINTEXT://{HOST}:{port}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={home / "data"}
num.partitions=2
offsets.topic.num.partitions=2
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
# What this broker is for: the default retention is seconds, checked every second, and
# segments roll and compact often, so both deletion and compaction happen within the test.
log.retention.ms={retention_ms}
log.retention.check.interval.ms=500
log.segment.delete.delay.ms=0
log.roll.ms=1000
log.cleaner.backoff.ms=500
log.cleaner.min.cleanable.ratio=0.01
"""


def _die_with_parent() -> None:
    """In the child: SIGTERM when the test process dies, even killed (no broker left behind)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.contextmanager
def short_retention_broker(retention_ms: int = 2000, start_timeout: float = 120) -> Iterator[str]:
    """A started broker whose default ``log.retention.ms`` is ``retention_ms``; yields its bootstrap address."""
    kafka_resolve_jars()
    (ROOT / ".cache").mkdir(exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="retention-broker-", dir=ROOT / ".cache"))
    port, controller = _free_port(), _free_port()
    props = home / "server.properties"
    props.write_text(_properties(home, port, controller, retention_ms))
    java = [kafka_java(), "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={KAFKA_LOG4J}", f"-Dkafka.logs.dir={home}", "-cp", f"{KAFKA_LIBS}/*"]
    cluster_id = run(java + ["kafka.tools.StorageTool", "random-uuid"], what="kafka random-uuid").strip().splitlines()[-1]
    run(java + ["kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(props), "-g"], what="kafka format")
    with open(home / "kafka.log", "wb") as log:
        proc = subprocess.Popen(java[:1] + ["-Xms128m", "-Xmx384m"] + java[1:] + ["kafka.Kafka", str(props)],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                preexec_fn=_die_with_parent)
    try:
        deadline = time.monotonic() + start_timeout
        while not kafka_answers(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the short-retention broker did not start:\n{(home / 'kafka.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield f"{HOST}:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        shutil.rmtree(home, ignore_errors=True)
