"""Detached engine processes: start one with a pid file, tell whether it lives, stop it; run a
command to its end; small socket and log helpers the engine modules share."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from .common import HOST, PIDS, STOP_TIMEOUT, InfraError, say


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


def live_pid(path: Path, cmd_token: str) -> int | None:
    """The pid written in ``path`` when that process runs and its command line has cmd_token, else None."""
    pid = read_pid(path)
    return pid if pid_alive(pid, cmd_token) else None


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
        reap(pid)
        if not pid_alive(pid):
            return
        time.sleep(0.2)
    if grace_kill:
        say(f"{name} (pid {pid}) did not stop within {timeout:.0f} s: SIGKILL")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        for _ in range(50):
            reap(pid)
            if not pid_alive(pid):
                return
            time.sleep(0.1)


def reap(pid: int) -> None:
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


def answers_already(engine: str, pid: int | None, answers: Callable[[], bool], port: int) -> bool:
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
