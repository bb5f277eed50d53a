"""PostgreSQL for FerretDB: a private cluster of the newest installed server, on 127.0.0.1 only.

Run as the ``postgres`` user when the launcher runs as root; ``initdb`` runs once, with trust
authentication; ``pg/data/infra.conf`` is written on every ``up``; Debian's own cluster is not touched."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

from .common import CACHE, FERRETDB_POOL, HOST, LOGS, PG_DATABASE, PG_PORT, PG_USER, InfraError, is_root, say
from .processes import answers_already, live_pid, port_open, run, stop_pid, tail

PG_DIR = CACHE / "pg"
PG_DATA = PG_DIR / "data"
PG_SOCKET = PG_DIR / "socket"
PG_START_TIMEOUT = 60


def pg_pid() -> int | None:
    """Pid of a live PostgreSQL of this cluster (its postmaster.pid), else None."""
    return live_pid(PG_DATA / "postmaster.pid", "postgres")


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
    pid = pg_pid()
    if not answers_already("postgres", pid, pg_answers, PG_PORT):
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
    pid = pg_pid()
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
