#!/usr/bin/env python3
"""Local infrastructure launcher: Kafka (KRaft, single node), PostgreSQL and FerretDB.

Standard library only: it runs before any virtual environment exists.

    python3 deploy/local/infra.py up      [start what is missing; idempotent]
    python3 deploy/local/infra.py status  [exit 0 only if every engine answers]
    python3 deploy/local/infra.py env     [KEY=VALUE lines for the services, Kafka sign-in included]
    python3 deploy/local/infra.py grant   [Kafka users/ACLs/topics from spec lines on stdin: tests]
    python3 deploy/local/infra.py publisher NAME  [a publisher's Kafka user, inbox and ACL]
    python3 deploy/local/infra.py logs    [ENGINE] [-n LINES]
    python3 deploy/local/infra.py down    [--purge | --only-started-by-us]

All state lives in <project-root>/.cache/infra/ (see deploy/local/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import shutil
import sys
import time

# Run as a script, this file's folder is sys.path[0]: the engines are the `launcher` package beside it.
from launcher.common import (
    CACHE, ENGINES, FERRETDB_PORT, HOST, KAFKA_CONTROLLER_PORT, KAFKA_PORT, LOGS, PG_DATABASE, PG_PORT, PG_USER, PIDS,
    PROBE_TIMEOUT, STARTED_BY_US, InfraError, say,
)
from launcher.ferretdb import ferretdb_down, ferretdb_pid, ferretdb_up
from launcher.kafka import KAFKA_CLUSTER_ID, KAFKA_DATA, KAFKA_PROPS, kafka_down, kafka_java_base, kafka_pid, kafka_up
from launcher.kafka_sasl import env_lines as kafka_env_lines
from launcher.kafka_sasl import INBOX, publisher_lines, run_grants
from launcher.kafka_sasl import credentials as kafka_credentials
from launcher.postgres import PG_DATA, PG_SOCKET, pg_answers, pg_down, pg_pid, pg_up
from launcher.probes import kafka_answers, mongo_ping
from launcher.processes import tail


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
    """The engines' addresses; Kafka's sign-in as the running broker was started with (PLAINTEXT
    for a broker started before SASL, until it is restarted)."""
    return [
        f"KAFKA_BOOTSTRAP_SERVERS={HOST}:{KAFKA_PORT}",
        *kafka_env_lines(KAFKA_PROPS),
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
        ("kafka", kafka_pid(), kafka_answers(), f"{HOST}:{KAFKA_PORT}"),
        ("postgres", pg_pid(), pg_answers(), f"{HOST}:{PG_PORT}"),
        ("ferretdb", ferretdb_pid(), mongo_ping(timeout=PROBE_TIMEOUT), f"{HOST}:{FERRETDB_PORT}"),
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


def cmd_grant(_args) -> int:
    """Spec lines on stdin (deploy/local/kafka/Grants.java says which), applied as the super user."""
    run_grants(kafka_java_base(), [line for line in sys.stdin.read().splitlines() if line.strip()])
    return 0


def cmd_publisher(args) -> int:
    """A publisher of the local broker: its SCRAM user (a password generated and kept with the
    others), its inbox and the one ACL it gets. Register its source with kafka_principal User:<name>."""
    publisher_lines(args.name, "")  # refuses a name no principal may have, before it is kept
    password = kafka_credentials(args.name)[args.name]
    run_grants(kafka_java_base(), publisher_lines(args.name, password))
    print(f"KAFKA_SASL_USERNAME={args.name}\nKAFKA_SASL_PASSWORD={password}\nINBOX={INBOX.format(args.name)}")
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
    sub.add_parser("grant", help="apply Kafka user/ACL/topic spec lines from stdin").set_defaults(func=cmd_grant)
    publisher = sub.add_parser("publisher", help="add a publisher: its Kafka user, inbox and ACL; prints its sign-in")
    publisher.add_argument("name", help="its principal's name: lower-case letters, digits and '-' (kafka_principal User:<name>)")
    publisher.set_defaults(func=cmd_publisher)
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
