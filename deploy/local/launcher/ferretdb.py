"""FerretDB v1.24.2 on the launcher's PostgreSQL, built once from the Go module source.

``up`` waits for a real MongoDB ``ping``; a FerretDB that runs but does not answer is killed
and started again."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from .common import CACHE, FERRETDB_POOL, FERRETDB_PORT, HOST, LOGS, PG_DATABASE, PG_PORT, PG_USER, InfraError, say
from .probes import mongo_ping
from .processes import answers_already, live_pid, pid_alive, pid_file, port_open, reap, run, start_detached, stop_pid, tail, wait_ports_free

FERRETDB_VERSION = "v1.24.2"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_DIR = CACHE / "ferretdb"
FERRETDB_SRC = FERRETDB_DIR / "src"
FERRETDB_BIN = FERRETDB_DIR / "bin" / "ferretdb"
FERRETDB_START_TIMEOUT = 60.0


def ferretdb_pid() -> int | None:
    """Pid of a live FerretDB this launcher started, else None."""
    return live_pid(pid_file("ferretdb"), "ferretdb")


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
    pid = ferretdb_pid()
    if answers_already("ferretdb", pid, mongo_ping, FERRETDB_PORT):
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
        reap(pid)
        if not pid_alive(pid):
            raise InfraError(f"ferretdb: process {pid} exited during start-up.\n{tail(LOGS / 'ferretdb.log', 30)}")
        time.sleep(0.3)
    raise InfraError(f"ferretdb: no ping answer within {FERRETDB_START_TIMEOUT:.0f} s.\n{tail(LOGS / 'ferretdb.log', 30)}")


def ferretdb_down() -> None:
    pid = ferretdb_pid()
    if pid:
        say(f"ferretdb: stopping pid {pid}")
        stop_pid(pid, "ferretdb", timeout=10.0)
    else:
        say("ferretdb: not running")
    pid_file("ferretdb").unlink(missing_ok=True)
