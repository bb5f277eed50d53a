"""The local proxy: one address per service in front of its replicas, as a cluster's Service is.

HAProxy (Debian's ``haproxy``; the Makefile installs it) with, per service:

- round robin over the replicas, each checked every second on ``/readyz`` (down after 2 misses,
  up again after 1 answer), so a killed or starting replica gets no new requests within ~2 s;
  a check may take 4 s (``timeout check``, above ``/readyz``'s own 3 s database ping): a replica
  busy with another's share answers it slowly, and taking it down for that left no replica up;
- ``retries 4`` + ``option redispatch 1`` + ``retry-on conn-failure empty-response``: a request
  that found its replica dead (refused, or reset before any answer) is sent again to the other.
  A checked replica refusing a connection is taken down at once (``observe layer4 error-limit 1
  on-error mark-down``), not at its next check: the retries of the requests a killed replica had
  in flight otherwise went to it again within milliseconds while the other was not yet up in the
  proxy's view, and were answered 503 (16 at a time, twice in a replicas chaos run);
  Only requests that may be repeated are sent again after their bytes reached a replica: GET and
  HEAD, and a POST carrying an ``Idempotency-Key`` (a registration: scheduling answers a repeat as
  the first, ``docs/scheduling.md``); any other request is retried only when it never reached one.
  ``option http-buffer-request`` waits for the whole request before choosing a replica: without
  it a POST whose replica died as its body went over was closed unanswered (22 of ~22,000 keyed
  POSTs under 4 kills in 50 s, measured; none with it, twice);
- a session's registrations (scheduling) to one replica while it lives: the path's first three
  segments are hashed (``balance uri depth 3``, consistent hashing), so one process's seat desk
  takes a session's registrations together instead of two replicas taking turns at its write
  lease; when that replica is down its sessions hash to the other;
- those registrations logged, one line each (``httplog``'s fields but the client's address, which
  is a resident's: the replica that answered, the retries, the time queued, connecting and
  waiting for the answer, how the request ended), so a slow or unanswered one can be set beside
  the faults of the moment; other requests are not logged;
- ``option forwardfor``: the client's address in X-Forwarded-For, which uvicorn takes from a
  proxy on 127.0.0.1, so the sign-up rate limits count clients, not the proxy;
- each replica a second time as a ``backup`` without a check: when no replica is ready (Kafka or
  the database away makes every ``/readyz`` fail) the live ones still serve what they can — the
  programme from memory — instead of the proxy answering 503 for all.

Standard library only, like infra.py.
"""

import shutil
import subprocess
from pathlib import Path

CHECK_EVERY_MS = 1000

GLOBAL = """\
global
    maxconn 4000
    log stdout format raw local0 info

defaults
    mode http
    option forwardfor
    option http-buffer-request
    timeout connect 1s
    timeout client 90s
    timeout server 90s
    timeout http-request 15s
    timeout queue 15s
    timeout check 4s
    retries 4
    option redispatch 1
    retry-on conn-failure empty-response
    option httpchk
    http-check send meth GET uri /readyz
    http-check expect status 200
    default-server inter {every}ms fastinter {fast}ms downinter {every}ms fall 2 rise 1
"""

SERVICE = """
frontend {name}
    bind {host}:{port}
    # bytes that reached a replica are sent again only where a repeat is answered as the first
    http-request disable-l7-retry if !METH_GET !{{ req.hdr(idempotency-key) -m found }}
{affinity}    default_backend {name}

backend {name}
    balance roundrobin
    option allbackups
{servers}
"""

BY_AGGREGATE = """
backend {name}-by-aggregate
    balance uri depth 3
    hash-type consistent
    option allbackups
{servers}
"""
# a checked replica that refuses a connection is down at once (backups have no check to bring them back)
OBSERVED = "observe layer4 error-limit 1 on-error mark-down"
# HAProxy's httplog without %ci:%cp (the client's address and port)
LOG_FORMAT = "[%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %{+Q}r"
# Requests that write one hot aggregate, by service: sent to one replica per aggregate (its id is
# the path's third segment), where its writes are grouped in memory.
AFFINITY = {"scheduling": r"^/(v1|programme)/sessions/[^/]+/regist"}


def config(backends: dict[str, tuple[int, list[tuple[str, int]]]], host: str = "127.0.0.1") -> str:
    """HAProxy's configuration: ``backends`` maps a service to its public port and its replicas'
    ``(name, port)``."""
    text = GLOBAL.format(every=CHECK_EVERY_MS, fast=CHECK_EVERY_MS // 2)
    for name, (port, replicas) in backends.items():
        servers = [f"    server {r} {host}:{p} check {OBSERVED}" for r, p in replicas]
        servers += [f"    server {r}-alive {host}:{p} backup" for r, p in replicas]
        pattern = AFFINITY.get(name)
        affinity = (f"    log global\n    log-format \"{LOG_FORMAT}\"\n    http-request set-log-level silent unless {{ path_reg {pattern} }}\n"
                    f"    use_backend {name}-by-aggregate if {{ path_reg {pattern} }}\n") if pattern else ""
        text += SERVICE.format(name=name, host=host, port=port, servers="\n".join(servers), affinity=affinity)
        if pattern:
            text += BY_AGGREGATE.format(name=name, servers="\n".join(servers))
    return text


def binary() -> str | None:
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None)


def start(path: Path, log: Path, backends: dict[str, tuple[int, list[tuple[str, int]]]]) -> subprocess.Popen:
    """Write the configuration to ``path``, check it, and run HAProxy in the foreground of a new
    session (its own process group, so a stop reaches it alone). Raises when it is missing or the
    configuration is refused."""
    haproxy = binary()
    if haproxy is None:
        raise RuntimeError("haproxy is not installed: apt-get install -y haproxy (the Makefile does)")
    path.write_text(config(backends))
    checked = subprocess.run([haproxy, "-c", "-q", "-f", str(path)], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(f"haproxy refused {path}: {checked.stderr or checked.stdout}")
    with open(log, "ab") as out:
        return subprocess.Popen([haproxy, "-db", "-f", str(path)], stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
