#!/usr/bin/env python3
"""Local infrastructure launcher: Kafka (KRaft, single node), PostgreSQL and FerretDB.

Standard library only: it runs before any virtual environment exists.

    python3 deploy/local/infra.py up      [start what is missing; idempotent]
    python3 deploy/local/infra.py status  [exit 0 only if every engine answers]
    python3 deploy/local/infra.py env     [KEY=VALUE lines for the services]
    python3 deploy/local/infra.py logs    [ENGINE] [-n LINES]
    python3 deploy/local/infra.py down    [--purge | --only-started-by-us]

All state lives in <project-root>/.cache/infra/ (see deploy/local/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# OM_INFRA_DIR lets a second, independent set of engines run beside the first (chaos runs).
CACHE = Path(os.environ.get("OM_INFRA_DIR") or ROOT / ".cache" / "infra").resolve()
LOGS = CACHE / "logs"
PIDS = CACHE / "pids"
STARTED_BY_US = CACHE / "started-by-us"

KAFKA_DIR = CACHE / "kafka"
KAFKA_LIBS = KAFKA_DIR / "libs"
KAFKA_LIBS_MARKER = KAFKA_LIBS / ".resolved"
KAFKA_DATA = KAFKA_DIR / "data"
KAFKA_PROPS = KAFKA_DIR / "server.properties"
KAFKA_CLUSTER_ID = KAFKA_DIR / "cluster-id"
KAFKA_POM = HERE / "kafka" / "pom.xml"
KAFKA_LOG4J = HERE / "kafka" / "log4j2.properties"

PG_DIR = CACHE / "pg"
PG_DATA = PG_DIR / "data"
PG_SOCKET = PG_DIR / "socket"
PG_USER = "postgres"
PG_DATABASE = "ferretdb"

FERRETDB_VERSION = "v1.24.2"
# FerretDB's PostgreSQL pool (its default is 50). An update command holds one connection per
# update in it until the command ends, plus one for each write's transaction: a bulk of 25 needs
# 26 at once. When the commands in flight need more than the pool has, each holds part and waits
# for the rest, and FerretDB stops answering everyone until restarted (four bulks of 20 did it;
# tests/integration/test_engine_bulk_writes.py). Our clients keep 8 connections each and bulks at
# 25 (shared/db/guarded_bulk.py), so 400 fits every service and tool running at once.
FERRETDB_POOL = 400
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_DIR = CACHE / "ferretdb"
FERRETDB_SRC = FERRETDB_DIR / "src"
FERRETDB_BIN = FERRETDB_DIR / "bin" / "ferretdb"

ENGINES = ("kafka", "postgres", "ferretdb")

KAFKA_START_TIMEOUT = 120.0
PG_START_TIMEOUT = 60
FERRETDB_START_TIMEOUT = 60.0
PROBE_TIMEOUT = 2.0
STOP_TIMEOUT = 30.0


def _port(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    try:
        return int(value)
    except ValueError:
        sys.exit(f"infra: {name}={value!r} is not a port number")


KAFKA_PORT = _port("OM_KAFKA_PORT", 19092)
KAFKA_CONTROLLER_PORT = _port("OM_KAFKA_CONTROLLER_PORT", 19093)
PG_PORT = _port("OM_PG_PORT", 15432)
FERRETDB_PORT = _port("OM_FERRETDB_PORT", 27027)
HOST = "127.0.0.1"


class InfraError(Exception):
    pass


def say(msg: str) -> None:
    # A closed stdout (`infra.py up | head`) must not abort an `up` half-way.
    with contextlib.suppress(BrokenPipeError):
        print(f"[infra] {msg}", flush=True)


def is_root() -> bool:
    return os.geteuid() == 0


# --------------------------------------------------------------------------- process helpers


def pid_file(engine: str) -> Path:
    return PIDS / f"{engine}.pid"


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def pid_alive(pid: int | None, cmd_token: str | None = None) -> bool:
    """True if pid runs (not a zombie) and, when given, its command line contains cmd_token."""
    if not pid:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
        return False
    if cmd_token:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return False
        return cmd_token in cmdline
    return True


def engine_pid(engine: str) -> int | None:
    """Pid of a live process this launcher started for engine, else None."""
    if engine == "postgres":
        pid = read_pid(PG_DATA / "postmaster.pid")
        return pid if pid_alive(pid, "postgres") else None
    token = {"kafka": "kafka.Kafka", "ferretdb": "ferretdb"}[engine]
    pid = read_pid(pid_file(engine))
    return pid if pid_alive(pid, token) else None


def start_detached(engine: str, argv: list[str], log: Path, env: dict | None = None, cwd: Path | None = None) -> int:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        out.write(f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} infra.py starts {engine}: {' '.join(argv)}\n".encode())
        out.flush()
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
            cwd=cwd,
            close_fds=True,
        )
    PIDS.mkdir(parents=True, exist_ok=True)
    pid_file(engine).write_text(f"{proc.pid}\n")
    return proc.pid


def stop_pid(pid: int, name: str, timeout: float = STOP_TIMEOUT, grace_kill: bool = True) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        if not pid_alive(pid):
            return
        time.sleep(0.2)
    if grace_kill:
        say(f"{name} (pid {pid}) did not stop within {timeout:.0f} s: SIGKILL")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        for _ in range(50):
            _reap(pid)
            if not pid_alive(pid):
                return
            time.sleep(0.1)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def tail(path: Path, lines: int = 40) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            data = fh.read().decode(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(data.splitlines()[-lines:])


def port_open(port: int, timeout: float = 0.5) -> bool:
    with contextlib.suppress(OSError):
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    return False


def wait_ports_free(*ports: int, timeout: float = 10.0) -> None:
    """After killing a process, its listening sockets can outlive it for a moment (a multi-threaded
    process shows as a zombie while its other threads still tear down the shared file table)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(port_open(p, timeout=0.2) for p in ports):
        time.sleep(0.2)


def _answers_already(engine: str, pid: int | None, answers: Callable[[], bool], port: int) -> bool:
    """True (and said) when the engine already answers on ``port``: ours (``pid``) or another's, reused."""
    if pid and answers():
        say(f"{engine}: running (pid {pid}), answering on {HOST}:{port}")
        return True
    if not pid and answers():
        say(f"{engine}: something not started by this launcher answers on {HOST}:{port}: reusing it")
        return True
    return False


def run(argv: list[str], *, what: str, env: dict | None = None, cwd: Path | None = None, capture: bool = True) -> str:
    try:
        res = subprocess.run(argv, env=env, cwd=cwd, text=True, capture_output=capture, stdin=subprocess.DEVNULL)
    except FileNotFoundError as exc:
        raise InfraError(f"{what}: {exc}") from exc
    if res.returncode != 0:
        out = ((res.stdout or "") + (res.stderr or "")).strip()
        raise InfraError(f"{what} failed (exit {res.returncode}): {' '.join(argv)}\n{out[-4000:]}")
    return res.stdout or ""


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed")
        buf += chunk
    return buf


# --------------------------------------------------------------------------- probes


def kafka_answers(port: int = KAFKA_PORT, timeout: float = PROBE_TIMEOUT) -> bool:
    """Send a Kafka ApiVersions v0 request and check for a well-formed answer."""
    correlation_id = 0x0F0F
    client_id = b"infra-probe"
    header = struct.pack(">hhih", 18, 0, correlation_id, len(client_id)) + client_id
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(struct.pack(">i", len(header)) + header)
            (size,) = struct.unpack(">i", _recv_exact(sock, 4))
            if not 6 <= size <= 1 << 20:
                return False
            body = _recv_exact(sock, size)
    except (OSError, ConnectionError, struct.error):
        return False
    corr, error_code = struct.unpack(">ih", body[:6])
    if corr != correlation_id or error_code != 0:
        return False
    (count,) = struct.unpack(">i", body[6:10])
    return count > 0


def _bson_ping() -> bytes:
    elements = b"\x10ping\x00" + struct.pack("<i", 1)
    db = b"admin\x00"
    elements += b"\x02$db\x00" + struct.pack("<i", len(db)) + db
    return struct.pack("<i", 4 + len(elements) + 1) + elements + b"\x00"


_BSON_FIXED = {0x01: 8, 0x07: 12, 0x08: 1, 0x09: 8, 0x0A: 0, 0x10: 4, 0x11: 8, 0x12: 8, 0x13: 16, 0x7F: 0, 0xFF: 0}


def _bson_top_level(doc: bytes) -> dict:
    """Decode the top-level numeric fields of a BSON document (others are skipped)."""
    out: dict = {}
    pos, end = 4, struct.unpack("<i", doc[:4])[0] - 1
    while pos < end:
        etype = doc[pos]
        name_end = doc.index(b"\x00", pos + 1)
        name = doc[pos + 1 : name_end].decode(errors="replace")
        pos = name_end + 1
        if etype == 0x01:
            out[name] = struct.unpack("<d", doc[pos : pos + 8])[0]
        elif etype == 0x10:
            out[name] = struct.unpack("<i", doc[pos : pos + 4])[0]
        elif etype == 0x12:
            out[name] = struct.unpack("<q", doc[pos : pos + 8])[0]
        elif etype == 0x02:
            slen = struct.unpack("<i", doc[pos : pos + 4])[0]
            out[name] = doc[pos + 4 : pos + 4 + slen - 1].decode(errors="replace")
        if etype in _BSON_FIXED:
            pos += _BSON_FIXED[etype]
        elif etype in (0x02, 0x0D, 0x0E):
            pos += 4 + struct.unpack("<i", doc[pos : pos + 4])[0]
        elif etype in (0x03, 0x04, 0x0F):
            pos += struct.unpack("<i", doc[pos : pos + 4])[0]
        elif etype == 0x05:
            pos += 5 + struct.unpack("<i", doc[pos : pos + 4])[0]
        elif etype == 0x0B:
            pos = doc.index(b"\x00", doc.index(b"\x00", pos) + 1) + 1
        elif etype == 0x0C:
            pos += 4 + struct.unpack("<i", doc[pos : pos + 4])[0] + 12
        else:
            break
    return out


def mongo_ping(port: int = FERRETDB_PORT, timeout: float = PROBE_TIMEOUT) -> bool:
    """MongoDB OP_MSG {ping: 1, $db: "admin"}; True if the reply says ok: 1."""
    body = struct.pack("<I", 0) + b"\x00" + _bson_ping()
    request_id = 0x1234
    msg = struct.pack("<iiii", 16 + len(body), request_id, 0, 2013) + body
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            sock.sendall(msg)
            length, _rid, response_to, opcode = struct.unpack("<iiii", _recv_exact(sock, 16))
            if opcode != 2013 or response_to != request_id or not 21 <= length <= 48 * 1024 * 1024:
                return False
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            payload = _recv_exact(sock, length - 16)
    except (OSError, ConnectionError, struct.error):
        return False
    if payload[4] != 0:  # section kind 0: body document
        return False
    try:
        reply = _bson_top_level(payload[5:])
    except (ValueError, IndexError, struct.error):
        return False
    return reply.get("ok") == 1


def pg_answers(timeout: int = 2) -> bool:
    bindir = pg_bindir(install=False)
    exe = str(bindir / "pg_isready") if bindir else shutil.which("pg_isready")
    if not exe:
        return port_open(PG_PORT)
    res = subprocess.run(
        [exe, "-q", "-h", HOST, "-p", str(PG_PORT), "-U", PG_USER, "-d", "postgres", "-t", str(timeout)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return res.returncode == 0


# --------------------------------------------------------------------------- Kafka


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


def kafka_write_properties() -> None:
    props = f"""# Written by deploy/local/infra.py on every `up`; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@{HOST}:{KAFKA_CONTROLLER_PORT}
listeners=PLAINTEXT://{HOST}:{KAFKA_PORT},CONTROLLER://{HOST}:{KAFKA_CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://{HOST}:{KAFKA_PORT}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={KAFKA_DATA}
num.partitions=4
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
log.retention.hours=168
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
    pid = engine_pid("kafka")
    if _answers_already("kafka", pid, kafka_answers, KAFKA_PORT):
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
    return True


def _wait_kafka(pid: int, timeout: float, raise_on_fail: bool) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if kafka_answers():
            return True
        _reap(pid)
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
    pid = engine_pid("kafka")
    if pid:
        say(f"kafka: stopping pid {pid}")
        stop_pid(pid, "kafka")
    else:
        say("kafka: not running")
    pid_file("kafka").unlink(missing_ok=True)


# --------------------------------------------------------------------------- PostgreSQL


def pg_bindir(install: bool) -> Path | None:
    def find() -> Path | None:
        found = sorted(
            (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if (Path(p) / "initdb").exists()),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        )
        return found[-1] if found else None

    bindir = find()
    if bindir or not install:
        return bindir
    if not is_root():
        raise InfraError("PostgreSQL server binaries missing: install Debian's `postgresql` package")
    say("postgres: binaries missing, installing Debian package `postgresql` (apt-get)...")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update"], what="apt-get update", env=env)
    run(["apt-get", "install", "-y", "--no-install-recommends", "postgresql"], what="apt-get install postgresql", env=env)
    bindir = find()
    if not bindir:
        raise InfraError("apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb was found")
    return bindir


def as_pg_user(argv: list[str]) -> list[str]:
    if not is_root():
        return argv
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", PG_USER, "--"] + argv
    import shlex

    return ["su", PG_USER, "-s", "/bin/sh", "-c", " ".join(shlex.quote(a) for a in argv)]


def pg_prepare_dirs() -> None:
    PG_DIR.mkdir(parents=True, exist_ok=True)
    PG_SOCKET.mkdir(parents=True, exist_ok=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    pg_log = LOGS / "postgres.log"
    pg_log.touch(exist_ok=True)
    if not is_root():
        return
    try:
        pw = pwd.getpwnam(PG_USER)
    except KeyError as exc:
        raise InfraError(f"user {PG_USER!r} does not exist (install Debian's `postgresql` package)") from exc
    # The postgres user must be able to traverse every directory above its data directory.
    for ancestor in [LOGS, *PG_DIR.parents]:
        st = ancestor.stat()
        if not st.st_mode & 0o001:
            os.chmod(ancestor, st.st_mode | 0o001)
    for path in [PG_DIR, *PG_DIR.rglob("*"), pg_log]:
        with contextlib.suppress(FileNotFoundError):
            st = path.lstat()
            if st.st_uid != pw.pw_uid:
                os.lchown(path, pw.pw_uid, pw.pw_gid)


def pg_initdb(bindir: Path) -> None:
    if (PG_DATA / "PG_VERSION").exists():
        return
    say("postgres: initdb (once)")
    if PG_DATA.exists():
        shutil.rmtree(PG_DATA)
    pg_prepare_dirs()
    run(
        as_pg_user([str(bindir / "initdb"), "-D", str(PG_DATA), "-U", PG_USER, "-A", "trust", "-E", "UTF8",
                    "--locale=C", "--no-sync"]),
        what="initdb",
    )
    with open(PG_DATA / "postgresql.conf", "a") as fh:
        fh.write("\n# deploy/local/infra.py rewrites infra.conf on every `up`\ninclude_if_exists = 'infra.conf'\n")


def pg_write_conf() -> None:
    conf = PG_DATA / "infra.conf"
    conf.write_text(
        "# Written by deploy/local/infra.py on every `up`.\n"
        f"listen_addresses = '{HOST}'\n"
        f"port = {PG_PORT}\n"
        f"unix_socket_directories = '{PG_SOCKET}'\n"
        # Room for FerretDB's pool (FERRETDB_POOL below) and a few direct clients (psql, checks).
        f"max_connections = {FERRETDB_POOL + 50}\n"
        # FerretDB sends `_jsonb->$1 @> $2` as a prepared statement: a generic plan cannot
        # match the expression indexes that back lookups (shared/db/indexes.py) and scans.
        "plan_cache_mode = force_custom_plan\n"
    )
    if is_root():
        pw = pwd.getpwnam(PG_USER)
        os.chown(conf, pw.pw_uid, pw.pw_gid)


def pg_up() -> bool:
    """Ensure PostgreSQL runs, answers and has the ferretdb database; True if this call started it."""
    bindir = pg_bindir(install=True)
    started = False
    pid = engine_pid("postgres")
    if not _answers_already("postgres", pid, pg_answers, PG_PORT):
        if not pid and port_open(PG_PORT):
            raise InfraError(f"postgres: port {PG_PORT} is taken by something that does not answer (set OM_PG_PORT)")
        pg_prepare_dirs()
        pg_initdb(bindir)
        pg_write_conf()
        pg_prepare_dirs()
        t0 = time.monotonic()
        say(f"postgres: starting on {HOST}:{PG_PORT}")
        try:
            run(
                as_pg_user([str(bindir / "pg_ctl"), "-D", str(PG_DATA), "-l", str(LOGS / "postgres.log"), "-w",
                            "-t", str(PG_START_TIMEOUT), "start"]),
                what="pg_ctl start",
            )
        except InfraError as exc:
            raise InfraError(f"{exc}\n--- {LOGS / 'postgres.log'} ---\n{tail(LOGS / 'postgres.log', 30)}") from exc
        started = True
        say(f"postgres: answering after {time.monotonic() - t0:.1f} s")
    psql = [str(bindir / "psql"), "-X", "-q", "-h", HOST, "-p", str(PG_PORT), "-U", PG_USER, "-d", "postgres", "-tA"]
    exists = run(psql + ["-c", f"SELECT 1 FROM pg_database WHERE datname = '{PG_DATABASE}'"], what="psql").strip()
    if exists != "1":
        say(f"postgres: creating database {PG_DATABASE}")
        run(psql + ["-c", f"CREATE DATABASE {PG_DATABASE}"], what="CREATE DATABASE")
    return started


def pg_down() -> None:
    bindir = pg_bindir(install=False)
    pid = engine_pid("postgres")
    if not pid or not bindir:
        say("postgres: not running")
        return
    say(f"postgres: stopping pid {pid} (pg_ctl stop -m fast)")
    try:
        run(as_pg_user([str(bindir / "pg_ctl"), "-D", str(PG_DATA), "-m", "fast", "-w", "-t", "60", "stop"]),
            what="pg_ctl stop")
    except InfraError as exc:
        say(f"postgres: {exc}; sending SIGTERM")
        stop_pid(pid, "postgres")


# --------------------------------------------------------------------------- FerretDB


def ferretdb_build() -> None:
    if FERRETDB_BIN.exists():
        return
    go = shutil.which("go")
    if not go:
        raise InfraError("go not found: FerretDB is built from source")
    say(f"ferretdb: building {FERRETDB_VERSION} from source (once, ~2 min)...")
    t0 = time.monotonic()
    FERRETDB_DIR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    # Outside any module, so `go mod download` takes module@version.
    with tempfile.TemporaryDirectory(prefix="ferretdb-dl-") as tmp:
        out = run([go, "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"],
                  what="go mod download", cwd=Path(tmp), env=env)
    info = json.loads(out)
    if info.get("Error") or not info.get("Dir"):
        raise InfraError(f"go mod download: {info}")
    if FERRETDB_SRC.exists():
        shutil.rmtree(FERRETDB_SRC)
    shutil.copytree(info["Dir"], FERRETDB_SRC, symlinks=True)
    for dirpath, dirnames, filenames in os.walk(FERRETDB_SRC):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            p = os.path.join(dirpath, name)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o200)
    # The module zip carries an empty version file, and the binary panics on it.
    (FERRETDB_SRC / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
    FERRETDB_BIN.parent.mkdir(parents=True, exist_ok=True)
    tmp_bin = FERRETDB_BIN.with_name("ferretdb.tmp")
    build = [go, "build", "-trimpath", "-o", str(tmp_bin), "./cmd/ferretdb"]
    env["CGO_ENABLED"] = "0"
    try:
        run(build, what="go build ferretdb", cwd=FERRETDB_SRC, env=env)
    except InfraError as exc:
        say(f"ferretdb: build failed, retrying with -mod=mod ({str(exc).splitlines()[-1][:200]})")
        env["GOFLAGS"] = (env.get("GOFLAGS", "") + " -mod=mod").strip()
        run(build, what="go build ferretdb (-mod=mod)", cwd=FERRETDB_SRC, env=env)
    tmp_bin.replace(FERRETDB_BIN)
    say(f"ferretdb: built {FERRETDB_BIN} in {time.monotonic() - t0:.1f} s")


def ferretdb_up() -> bool:
    """Ensure FerretDB runs and answers ping; True if this call started it."""
    pid = engine_pid("ferretdb")
    if _answers_already("ferretdb", pid, mongo_ping, FERRETDB_PORT):
        return False
    if pid:
        say(f"ferretdb: pid {pid} runs but does not answer ping: killing it and restarting")
        stop_pid(pid, "ferretdb", timeout=5.0)
        wait_ports_free(FERRETDB_PORT)
    if port_open(FERRETDB_PORT):
        raise InfraError(f"ferretdb: port {FERRETDB_PORT} is taken by something that does not answer (set OM_FERRETDB_PORT)")
    ferretdb_build()
    argv = [
        str(FERRETDB_BIN),
        "--handler=postgresql",
        f"--postgresql-url=postgres://{PG_USER}@{HOST}:{PG_PORT}/{PG_DATABASE}?pool_max_conns={FERRETDB_POOL}",
        f"--listen-addr={HOST}:{FERRETDB_PORT}",
        "--debug-addr=-",
        "--state-dir=-",
        "--telemetry=disable",
        "--log-level=error",
    ]
    t0 = time.monotonic()
    pid = start_detached("ferretdb", argv, LOGS / "ferretdb.log", cwd=FERRETDB_DIR)
    say(f"ferretdb: started pid {pid}, waiting for ping on {HOST}:{FERRETDB_PORT}...")
    deadline = time.monotonic() + FERRETDB_START_TIMEOUT
    while time.monotonic() < deadline:
        if mongo_ping():
            say(f"ferretdb: answering after {time.monotonic() - t0:.1f} s")
            return True
        _reap(pid)
        if not pid_alive(pid):
            raise InfraError(f"ferretdb: process {pid} exited during start-up.\n{tail(LOGS / 'ferretdb.log', 30)}")
        time.sleep(0.3)
    raise InfraError(f"ferretdb: no ping answer within {FERRETDB_START_TIMEOUT:.0f} s.\n{tail(LOGS / 'ferretdb.log', 30)}")


def ferretdb_down() -> None:
    pid = engine_pid("ferretdb")
    if pid:
        say(f"ferretdb: stopping pid {pid}")
        stop_pid(pid, "ferretdb", timeout=10.0)
    else:
        say("ferretdb: not running")
    pid_file("ferretdb").unlink(missing_ok=True)


# --------------------------------------------------------------------------- commands


@contextlib.contextmanager
def locked():
    """Serialise up/down between concurrent invocations (several engineers share one machine)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say("another infra.py up/down is running; waiting for it...")
            fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def env_lines() -> list[str]:
    return [
        f"KAFKA_BOOTSTRAP_SERVERS={HOST}:{KAFKA_PORT}",
        f"MONGODB_URL=mongodb://{HOST}:{FERRETDB_PORT}/",
        f"FERRETDB_POSTGRESQL_URL=postgresql://{PG_USER}@{HOST}:{PG_PORT}/{PG_DATABASE}",
    ]


def read_started_by_us() -> list[str]:
    try:
        return [w for w in STARTED_BY_US.read_text().split() if w in ENGINES]
    except OSError:
        return []


def cmd_up(_args) -> int:
    t0 = time.monotonic()
    started: list[str] = []
    with locked():
        for d in (LOGS, PIDS):
            d.mkdir(parents=True, exist_ok=True)
        try:
            if kafka_up():
                started.append("kafka")
            if pg_up():
                started.append("postgres")
            if ferretdb_up():
                started.append("ferretdb")
        except InfraError as exc:
            _record_started(started)
            print(f"[infra] ERROR: {exc}", file=sys.stderr, flush=True)
            if started:
                say(f"started by this invocation before the error: {' '.join(started)}")
            return 1
        _record_started(started)
    say(f"up in {time.monotonic() - t0:.1f} s; started by this invocation: {' '.join(started) or '(none)'}")
    say(f"kafka    {HOST}:{KAFKA_PORT} (controller {KAFKA_CONTROLLER_PORT})")
    say(f"postgres {HOST}:{PG_PORT} database {PG_DATABASE}")
    say(f"ferretdb {HOST}:{FERRETDB_PORT}")
    say(f"state and logs in {CACHE}")
    with contextlib.suppress(BrokenPipeError):
        for line in env_lines():
            print(line)
    return 0


def _record_started(started: list[str]) -> None:
    """Write exactly the engines THIS invocation started (empty when it reused everything), so that
    `down --only-started-by-us` after it leaves the machine as this invocation found it."""
    STARTED_BY_US.write_text("".join(f"{e}\n" for e in started))
    say(f"started-by-us ({STARTED_BY_US}): {' '.join(started) or '(none)'}")


def cmd_down(args) -> int:
    with locked():
        if args.only_started_by_us:
            engines = read_started_by_us()
            say(f"stopping only what an `up` started: {' '.join(engines) or '(nothing)'}")
        else:
            engines = list(ENGINES)
        # FerretDB first (it holds PostgreSQL connections), then Kafka, then PostgreSQL.
        if "ferretdb" in engines:
            ferretdb_down()
        if "kafka" in engines:
            kafka_down()
        if "postgres" in engines:
            pg_down()
        STARTED_BY_US.unlink(missing_ok=True)
        if args.purge:
            for path in (KAFKA_DATA, KAFKA_CLUSTER_ID, KAFKA_PROPS, PG_DATA, PG_SOCKET):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink(missing_ok=True)
            say("purged data (kept Kafka jars and the FerretDB binary)")
    return 0


def cmd_status(_args) -> int:
    rows = [
        ("kafka", engine_pid("kafka"), kafka_answers(), f"{HOST}:{KAFKA_PORT}"),
        ("postgres", engine_pid("postgres"), pg_answers(), f"{HOST}:{PG_PORT}"),
        ("ferretdb", engine_pid("ferretdb"), mongo_ping(timeout=PROBE_TIMEOUT), f"{HOST}:{FERRETDB_PORT}"),
    ]
    for name, pid, ok, addr in rows:
        running = f"pid {pid}" if pid else "not running"
        print(f"{name:<9} {running:<14} {'answering' if ok else 'NOT answering':<14} {addr}")
    started = read_started_by_us()
    if started:
        print(f"started-by-us: {' '.join(started)}")
    return 0 if all(ok for _, _, ok, _ in rows) else 1


def cmd_env(_args) -> int:
    for line in env_lines():
        print(line)
    return 0


def cmd_logs(args) -> int:
    files = {
        "kafka": [LOGS / "kafka.log", LOGS / "kafka-server.log"],
        "postgres": [LOGS / "postgres.log"],
        "ferretdb": [LOGS / "ferretdb.log"],
    }
    names = [args.engine] if args.engine else list(ENGINES)
    for name in names:
        for path in files[name]:
            print(f"===== {path}")
            print(tail(path, args.lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="infra.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start whatever is missing and wait until it answers").set_defaults(func=cmd_up)
    down = sub.add_parser("down", help="stop the engines (data kept)")
    group = down.add_mutually_exclusive_group()
    group.add_argument("--purge", action="store_true", help="also delete Kafka and PostgreSQL data")
    group.add_argument("--only-started-by-us", action="store_true",
                       help="stop only the engines listed in .cache/infra/started-by-us")
    down.set_defaults(func=cmd_down)
    sub.add_parser("status", help="exit 0 only if every engine answers").set_defaults(func=cmd_status)
    sub.add_parser("env", help="print KEY=VALUE lines for the services").set_defaults(func=cmd_env)
    logs = sub.add_parser("logs", help="print the tail of the logs")
    logs.add_argument("engine", nargs="?", choices=ENGINES)
    logs.add_argument("-n", "--lines", type=int, default=40)
    logs.set_defaults(func=cmd_logs)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InfraError as exc:
        print(f"[infra] ERROR: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
