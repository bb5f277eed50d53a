"""Who may talk to the local broker, and what each may do: SASL/SCRAM-SHA-512 users and ACLs.

The broker authenticates every client on its one client listener (SASL_PLAINTEXT locally; TLS is
compose's and the cluster's: SASL_SSL) and authorises with KRaft's ``StandardAuthorizer``, with
``allow.everyone.if.no.acl.found=false``: a principal may do only what an ACL below allows.
``admin`` is the super user (the launcher, the tests, chaos and the benchmarks, which make topics
of their own); every service and every demo publisher is its own principal.

Passwords are generated once into ``credentials`` beside the broker's data (ignored by git, mode
0600) and printed by ``infra.py env``. The users, their ACLs and the demo publishers' inbox topics
are made by ``Grants.java`` (Kafka's Admin API, one JVM) when the launcher starts the broker and
they or the storage changed (``grant_once``). It signs in as ``admin`` with SASL/PLAIN, whose one
user is in ``server.properties`` rather than in the cluster's metadata (as the broker does to its
controller and to itself), so a storage formatted before SASL gains its SCRAM users too; every
other client uses SCRAM-SHA-512. The table is the README's ("Kafka principals and ACLs");
``tests/unit/test_kafka_acls.py`` checks it against the services' contracts and subscriptions.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

from .common import CACHE, HERE, HOST, KAFKA_CONTROLLER_PORT, KAFKA_PORT, InfraError

KAFKA_DIR = CACHE / "kafka"
CREDENTIALS = KAFKA_DIR / "credentials"
GRANTS_JAVA = HERE / "kafka" / "Grants.java"
ADMIN = "admin"
MECHANISM = "SCRAM-SHA-512"
INBOX = "registry.inbox.{}.v1"  # one per publisher: only its principal may write it
INBOX_PREFIX = "registry.inbox."
INBOX_PARTITIONS = 4
# An inbox is an input, kept as registry.submissions.v1 is (shared/topics.py RESTORE_WINDOW: a restore
# of an older backup catches up from it); tests/unit/test_kafka_acls.py keeps the two equal.
INBOX_CONFIGS = {"cleanup.policy": "delete", "retention.ms": str(30 * 24 * 60 * 60 * 1000)}
# The demo's publishers (deploy/local/demo_data.py registers them with kafka_principal User:<name>).
DEMO_PUBLISHERS = ("kulturforvaltningen", "funktionsstodsforvaltningen", "ideell-forening-rosengard", "malmo-ungdomsrad", "eccar")
PUBLISHER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,100}$")

# What each service reads of others' and writes (docs/architecture.md's services table;
# shared/contracts.py); a service may read what it writes too (``service_acls``).
READS: dict[str, tuple[str, ...]] = {
    "registry": ("registry.submissions.v1", "scheduling.sessions.v1"),
    "scheduling": ("registry.initiatives.v1", "registry.reports.v1", "registry.sources.v1", "registry.vocabularies.v1"),
    "notifications": (
        "notifications.receipts.v1", "registry.contacts.v1", "registry.initiatives.v1", "registry.reports.v1",
        "registry.sources.v1", "registry.vocabularies.v1", "scheduling.contacts.v1", "scheduling.registrations.v1",
        "scheduling.sessions.v1",
    ),
    "reporting": (
        "notifications.deliveries.v1", "notifications.feedback.v1", "registry.grants.v1", "registry.initiatives.v1",
        "registry.reports.v1", "registry.vocabularies.v1", "scheduling.registrations.v1", "scheduling.sessions.v1",
    ),
}
WRITES: dict[str, tuple[str, ...]] = {
    "registry": (
        "registry.contacts.v1", "registry.deadletter.v1", "registry.grants.v1", "registry.initiatives.v1",
        "registry.reports.v1", "registry.sources.v1", "registry.submissions.rejected.v1", "registry.vocabularies.v1",
    ),
    "scheduling": ("scheduling.contacts.v1", "scheduling.deadletter.v1", "scheduling.registrations.v1", "scheduling.sessions.v1"),
    "notifications": (
        "notifications.deadletter.v1", "notifications.deliveries.v1", "notifications.email.v1", "notifications.feedback.v1",
        "notifications.receipts.v1", "notifications.sms.v1",
    ),
    "reporting": ("reporting.deadletter.v1", "reporting.statistics.v1"),
}
SERVICES = tuple(READS)
# Topics a service owns but does not write: publishers' shared topic, written by the operators'
# tools only. The owner still keeps its configs (``ensure_topics`` aligns every owned topic).
OWNED_UNWRITTEN: dict[str, tuple[str, ...]] = {"registry": ("registry.submissions.v1",)}


def service_acls(service: str, prefix: str = "", principal: str | None = None) -> list[str]:
    """The spec lines of one service's ACLs: read what it consumes, write what it produces (and
    read it: its read models follow its own topics on every replica; and describe and alter the
    configs of those, which it owns: ``ensure_topics`` keeps their retention),
    create (at its start) every topic it touches, its consumer groups (``<service>.`` + subscription)
    and its leadership topic (``shared/leadership.py``); the registry also reads every inbox. A test
    run gives the same to a principal of its own, its topic ``prefix`` before every name."""
    principal = principal or f"User:{service}"
    own = (f"{service}.leadership.v1",)
    lines = [f"acl {principal} TOPIC LITERAL {prefix}{t} READ" for t in READS[service] + WRITES[service] + own]
    lines += [f"acl {principal} TOPIC LITERAL {prefix}{t} WRITE" for t in WRITES[service] + own]
    owned = WRITES[service] + OWNED_UNWRITTEN.get(service, ())
    lines += [f"acl {principal} TOPIC LITERAL {prefix}{t} DESCRIBE_CONFIGS,ALTER_CONFIGS" for t in owned]
    lines += [f"acl {principal} TOPIC LITERAL {prefix}{t} CREATE" for t in sorted(set(READS[service] + WRITES[service] + own))]
    lines.append(f"acl {principal} GROUP PREFIXED {prefix}{service}. READ")
    if service == "registry":
        lines.append(f"acl {principal} TOPIC PREFIXED {prefix}{INBOX_PREFIX} READ")
    return lines


def services_acl_spec() -> str:
    """Every service's ACL lines, as docker-compose's ``kafka-setup`` applies them
    (``deploy/compose/kafka-acls.spec``, written by ``python3 -m deploy.local.launcher.kafka_sasl``)."""
    return "".join(f"{line}\n" for service in SERVICES for line in service_acls(service))


def publisher_lines(name: str, password: str, prefix: str = "") -> list[str]:
    """A publisher: its user, its inbox topic and the one ACL it has (write its inbox)."""
    if not PUBLISHER_NAME.match(name):
        raise InfraError(f"kafka: {name!r} cannot name a publisher (lower-case letters, digits, '-')")
    topic = prefix + INBOX.format(name)
    configs = " ".join(f"{k}={v}" for k, v in INBOX_CONFIGS.items())
    return [f"user {name} {password}", f"topic {topic} {INBOX_PARTITIONS} {configs}", f"acl User:{name} TOPIC LITERAL {topic} WRITE"]


def credentials(*more: str) -> dict[str, str]:
    """Every local principal's password, generated once (``name password`` lines, mode 0600); ``more``:
    principals to add (a publisher made with ``infra.py publisher``), kept from then on."""
    known: dict[str, str] = {}
    if CREDENTIALS.exists():
        known = dict(line.split(" ", 1) for line in CREDENTIALS.read_text().splitlines() if " " in line)
    wanted = (ADMIN, *SERVICES, *DEMO_PUBLISHERS, *more)
    if any(name not in known for name in wanted):
        known |= {name: secrets.token_urlsafe(24) for name in wanted if name not in known}
        _private(CREDENTIALS, "".join(f"{k} {v}\n" for k, v in known.items()))
    return known


def server_properties(creds: dict[str, str]) -> str:
    """The broker's listeners, SASL and authoriser settings (``server.properties`` lines)."""
    admin = creds[ADMIN]
    plain = f'org.apache.kafka.common.security.plain.PlainLoginModule required username="{ADMIN}" password="{admin}" user_{ADMIN}="{admin}";'
    return f"""listeners=SASL_PLAINTEXT://{HOST}:{KAFKA_PORT},CONTROLLER://{HOST}:{KAFKA_CONTROLLER_PORT}
advertised.listeners=SASL_PLAINTEXT://{HOST}:{KAFKA_PORT}
inter.broker.listener.name=SASL_PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms={MECHANISM},PLAIN
sasl.mechanism.inter.broker.protocol=PLAIN
listener.name.sasl_plaintext.sasl.enabled.mechanisms={MECHANISM},PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config={plain}
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config={plain}
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:{ADMIN}
"""


def grant_spec(creds: dict[str, str]) -> list[str]:
    """Everything the launcher grants: the services' users and ACLs, the demo publishers'."""
    lines = [f"user {ADMIN} {creds[ADMIN]}"]
    for service in SERVICES:
        lines += [f"user {service} {creds[service]}", *service_acls(service)]
    for name in DEMO_PUBLISHERS:
        lines += publisher_lines(name, creds[name])
    return lines


def run_grants(java_base: list[str], lines: list[str]) -> None:
    """Apply spec lines (``Grants.java``) as the super user; raises ``InfraError`` when refused."""
    from .processes import run

    admin = credentials()[ADMIN]
    client = f"""bootstrap.servers={HOST}:{KAFKA_PORT}
security.protocol=SASL_PLAINTEXT
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="{ADMIN}" password="{admin}";
"""
    work = KAFKA_DIR / "grants"
    work.mkdir(parents=True, exist_ok=True)
    # One pair of files per run: test runs of several people may grant at once.
    config, spec = work / f"client-{os.getpid()}.properties", work / f"spec-{os.getpid()}"
    _private(config, client)
    _private(spec, "".join(f"{line}\n" for line in lines))
    try:
        run(java_base + [str(GRANTS_JAVA), str(config), str(spec)], what="kafka Grants.java")
    finally:
        config.unlink(missing_ok=True)
        spec.unlink(missing_ok=True)


def grant_once(java_base: list[str], lines: list[str], storage: str) -> bool:
    """``run_grants`` unless these very lines were applied to this very storage (``storage``: its
    ``meta.properties``, which a purge changes) already: a restart after a crash then costs no JVM.
    True when it ran."""
    digest = hashlib.sha256("\n".join([storage, GRANTS_JAVA.read_text(), *lines]).encode()).hexdigest()
    marker = KAFKA_DIR / "grants" / "applied"
    if marker.exists() and marker.read_text().strip() == digest:
        return False
    run_grants(java_base, lines)
    _private(marker, digest + "\n")
    return True


def running_is_sasl(props: Path) -> bool:
    """Whether the broker's ``server.properties`` (written when it was started) asks for SASL."""
    try:
        return "SASL_PLAINTEXT://" in props.read_text()
    except OSError:
        return False


def env_lines(props: Path) -> list[str]:
    """The tests' and tools' sign-in (the super user) and each service's, when the broker runs SASL."""
    if not running_is_sasl(props):
        return ["KAFKA_SECURITY_PROTOCOL=PLAINTEXT"]
    creds = credentials()
    lines = [
        "KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT",
        f"KAFKA_SASL_MECHANISM={MECHANISM}",
        f"KAFKA_SASL_USERNAME={ADMIN}",
        f"KAFKA_SASL_PASSWORD={creds[ADMIN]}",
    ]
    lines += [f"KAFKA_SASL_PASSWORD_{s.upper()}={creds[s]}" for s in SERVICES]
    publishers = [name for name in creds if name != ADMIN and name not in SERVICES]  # the demo's and those added
    lines += [f"KAFKA_SASL_PASSWORD_PUBLISHER_{p.upper().replace('-', '_')}={creds[p]}" for p in publishers]
    return lines


def _private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    print(services_acl_spec(), end="")
