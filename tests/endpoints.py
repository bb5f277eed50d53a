"""Where the tests find a real Kafka broker and a real MongoDB-protocol database.

1. The endpoints named by the environment (``make test`` starts the project's own Kafka and
   FerretDB and exports them): ``KAFKA_BOOTSTRAP_SERVERS``, ``MONGODB_URL`` and, on FerretDB,
   ``FERRETDB_POSTGRESQL_URL``.
2. Otherwise containers (testcontainers' Kafka and MongoDB modules) when a Docker engine answers.
3. Otherwise the run fails loudly: integration tests never fall back to a fake.
"""

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoints:
    kafka: str
    mongodb: str
    ferretdb_postgresql: str | None


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env().ping()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def endpoints() -> Iterator[Endpoints]:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    mongodb = os.environ.get("MONGODB_URL")
    if kafka and mongodb:
        yield Endpoints(kafka, mongodb, os.environ.get("FERRETDB_POSTGRESQL_URL") or None)
        return
    if _docker_answers():
        from testcontainers.kafka import KafkaContainer
        from testcontainers.mongodb import MongoDbContainer

        with KafkaContainer().with_kraft() as k, MongoDbContainer("mongo:7") as m:
            yield Endpoints(k.get_bootstrap_server(), m.get_connection_url(), None)
        return
    raise RuntimeError(
        "No Kafka and MongoDB for the tests: set KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL "
        "(`make test` starts the project's own and sets them), or run a Docker engine."
    )
