"""Kafka 4.1.1 in KRaft mode, one node (broker and controller), run as ``java … kafka.Kafka``.

The jars come from Maven (``kafka/pom.xml``), resolved again only when the POM changes; the
storage is formatted once; ``server.properties`` is written on every ``up``. Clients sign in with
SASL/SCRAM-SHA-512 and are authorised by ACLs, granted at a start when they changed (``kafka_sasl.py``)."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

from .common import HERE, HOST, KAFKA_CONTROLLER_PORT, KAFKA_PORT, LOGS, InfraError, say
from .kafka_sasl import KAFKA_DIR, credentials, grant_once, grant_spec, server_properties
from .probes import kafka_answers
from .processes import (
    answers_already, live_pid, pid_alive, pid_file, port_open, reap, run, start_detached, stop_pid, tail, wait_ports_free,
)

KAFKA_LIBS = KAFKA_DIR / "libs"
KAFKA_LIBS_MARKER = KAFKA_LIBS / ".resolved"
KAFKA_DATA = KAFKA_DIR / "data"
KAFKA_PROPS = KAFKA_DIR / "server.properties"
KAFKA_CLUSTER_ID = KAFKA_DIR / "cluster-id"
KAFKA_POM = HERE / "kafka" / "pom.xml"
KAFKA_LOG4J = HERE / "kafka" / "log4j2.properties"
KAFKA_START_TIMEOUT = 120.0


def kafka_pid() -> int | None:
    """Pid of a live Kafka this launcher started, else None."""
    return live_pid(pid_file("kafka"), "kafka.Kafka")


def kafka_java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if not java:
        raise InfraError("java not found (Kafka needs Java 17+)")
    return java


def kafka_resolve_jars() -> None:
    digest = hashlib.sha256(KAFKA_POM.read_bytes()).hexdigest()
    if KAFKA_LIBS_MARKER.exists() and KAFKA_LIBS_MARKER.read_text().strip() == digest:
        return
    mvn = shutil.which("mvn")
    if not mvn:
        raise InfraError("mvn not found: Maven resolves the Kafka jars")
    say("kafka: resolving jars with Maven (once)...")
    t0 = time.monotonic()
    if KAFKA_LIBS.exists():
        shutil.rmtree(KAFKA_LIBS)
    KAFKA_LIBS.mkdir(parents=True)
    work = KAFKA_DIR / "maven"
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy2(KAFKA_POM, work / "pom.xml")
    run(
        [mvn, "-B", "-q", "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={KAFKA_LIBS}"],
        what="mvn dependency:copy-dependencies",
        cwd=work,
    )
    jars = list(KAFKA_LIBS.glob("*.jar"))
    if not any(j.name.startswith("kafka_2.13-") for j in jars):
        raise InfraError(f"Maven left no kafka_2.13 jar in {KAFKA_LIBS}")
    KAFKA_LIBS_MARKER.write_text(digest + "\n")
    say(f"kafka: {len(jars)} jars in {time.monotonic() - t0:.1f} s")


# One node's partitions, replication and threads: the local broker's, and a benchmark's private
# broker's (benchmarks/workloads/signing_in.py), so that the two are measured alike.
SINGLE_NODE = """num.partitions=4
default.replication.factor=1
min.insync.replicas=1
offsets.topic.num.partitions=4
offsets.topic.replication.factor=1
transaction.state.log.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
"""


def kafka_write_properties() -> None:
    props = f"""# Written by deploy/local/infra.py on every `up`; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@{HOST}:{KAFKA_CONTROLLER_PORT}
{server_properties(credentials())}log.dirs={KAFKA_DATA}
{SINGLE_NODE}log.retention.hours=168
"""
    KAFKA_DIR.mkdir(parents=True, exist_ok=True)
    KAFKA_PROPS.write_text(props)


def kafka_java_base() -> list[str]:
    return [
        kafka_java(),
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={KAFKA_LOG4J}",
        f"-Dkafka.logs.dir={LOGS}",
        "-cp",
        f"{KAFKA_LIBS}/*",
    ]


def kafka_format() -> None:
    if (KAFKA_DATA / "meta.properties").exists():
        return
    if not KAFKA_CLUSTER_ID.exists():
        cluster_id = run(kafka_java_base() + ["kafka.tools.StorageTool", "random-uuid"], what="kafka StorageTool random-uuid")
        cluster_id = cluster_id.strip().splitlines()[-1].strip()
        KAFKA_CLUSTER_ID.write_text(cluster_id + "\n")
    cluster_id = KAFKA_CLUSTER_ID.read_text().strip()
    say(f"kafka: formatting storage (cluster id {cluster_id})")
    run(
        kafka_java_base() + ["kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(KAFKA_PROPS), "-g"],
        what="kafka StorageTool format",
    )


def kafka_up() -> bool:
    """Ensure Kafka runs and answers; True if this call started it."""
    pid = kafka_pid()
    if answers_already("kafka", pid, kafka_answers, KAFKA_PORT):
        return False
    if pid:
        # Running but not (yet) answering: maybe starting up from another `up`; give it time.
        say(f"kafka: pid {pid} runs but does not answer yet; waiting")
        if _wait_kafka(pid, 60.0, raise_on_fail=False):
            return False
        say(f"kafka: pid {pid} still not answering: restarting it")
        stop_pid(pid, "kafka")
        wait_ports_free(KAFKA_PORT, KAFKA_CONTROLLER_PORT)
    if port_open(KAFKA_PORT) or port_open(KAFKA_CONTROLLER_PORT):
        raise InfraError(
            f"kafka: port {KAFKA_PORT} or {KAFKA_CONTROLLER_PORT} is taken by something that is not a Kafka "
            "broker started here (set OM_KAFKA_PORT / OM_KAFKA_CONTROLLER_PORT)"
        )
    kafka_resolve_jars()
    kafka_write_properties()
    KAFKA_DATA.mkdir(parents=True, exist_ok=True)
    kafka_format()
    argv = kafka_java_base()[:1] + ["-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"] + kafka_java_base()[1:]
    argv += ["kafka.Kafka", str(KAFKA_PROPS)]
    t0 = time.monotonic()
    pid = start_detached("kafka", argv, LOGS / "kafka.log", cwd=KAFKA_DIR)
    say(f"kafka: started pid {pid}, waiting for ApiVersions on {HOST}:{KAFKA_PORT}...")
    _wait_kafka(pid, KAFKA_START_TIMEOUT, raise_on_fail=True)
    say(f"kafka: answering after {time.monotonic() - t0:.1f} s")
    t0 = time.monotonic()
    if grant_once(kafka_java_base(), grant_spec(credentials()), (KAFKA_DATA / "meta.properties").read_text()):
        say(f"kafka: users, ACLs and the demo publishers' inboxes granted in {time.monotonic() - t0:.1f} s")
    return True


def _wait_kafka(pid: int, timeout: float, raise_on_fail: bool) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if kafka_answers():
            return True
        reap(pid)
        if not pid_alive(pid):
            if raise_on_fail:
                raise InfraError(f"kafka: process {pid} exited during start-up.\n{_kafka_log_tails()}")
            return False
        time.sleep(0.5)
    if raise_on_fail:
        raise InfraError(f"kafka: no ApiVersions answer within {timeout:.0f} s (pid {pid}).\n{_kafka_log_tails()}")
    return False


def _kafka_log_tails() -> str:
    return (
        f"--- {LOGS / 'kafka.log'} (stdout/stderr) ---\n{tail(LOGS / 'kafka.log', 30)}\n"
        f"--- {LOGS / 'kafka-server.log'} (log4j) ---\n{tail(LOGS / 'kafka-server.log', 40)}"
    )


def kafka_down() -> None:
    pid = kafka_pid()
    if pid:
        say(f"kafka: stopping pid {pid}")
        stop_pid(pid, "kafka")
    else:
        say("kafka: not running")
    pid_file("kafka").unlink(missing_ok=True)
