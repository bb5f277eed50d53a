"""A Kafka broker of the test's own whose DEFAULT time-based retention is seconds: a topic that
states no retention of its own loses its messages seconds after they were written.

A private broker (deploy/local/launcher/private_broker.py): the launcher's Kafka jars and Java, one KRaft
node on free ports, its data and logs in a directory of its own that is removed at the end; the
shared test broker is never touched."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

from deploy.local.launcher.private_broker import private_broker

HOST = "127.0.0.1"


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


@contextlib.contextmanager
def short_retention_broker(retention_ms: int = 2000, start_timeout: float = 120) -> Iterator[str]:
    """A started broker whose default ``log.retention.ms`` is ``retention_ms``; yields its bootstrap address."""
    with private_broker(lambda home, ports: _properties(home, ports["PLAINTEXT"], ports["CONTROLLER"], retention_ms),
                        prefix="retention-broker-", start_timeout=start_timeout) as ports:
        yield f"{HOST}:{ports['PLAINTEXT']}"
