"""Kafka principals of a test's own on the test broker: made with the launcher's tool as the
broker's super user (``infra.py grant``: deploy/local/kafka/Grants.java), removed after the test."""

import os
import subprocess
import sys

import pytest
from aiokafka import AIOKafkaProducer

from deploy.local.launcher.common import ROOT
from shared.kafka.security import client_options, security_settings

# For tests of what the broker proves: nothing is on a broker that does not authenticate.
sasl_only = pytest.mark.skipif(
    security_settings().kafka_security_protocol == "PLAINTEXT", reason="the test broker does not authenticate (PLAINTEXT)"
)


def grant(lines: list[str]) -> None:
    """Spec lines (users, ACLs, topics: Grants.java says which) applied as the super user."""
    done = subprocess.run([sys.executable, str(ROOT / "deploy/local/infra.py"), "grant"], input="\n".join(lines),
                          text=True, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def removal(names: list[str]) -> list[str]:
    """Spec lines that remove these users and every ACL of theirs."""
    return [line for name in names for line in (f"noacl User:{name}", f"nouser {name}")]


def signed_in_as(name: str, password: str) -> AIOKafkaProducer:
    """A producer (not started) that signs in as ``User:<name>``."""
    return AIOKafkaProducer(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"], enable_idempotence=True,
                            **client_options(username=name, password=password))
