"""How every Kafka client of the platform signs in: one place, so no client is left unsecured.

Every aiokafka client (the services' producer, consumers, admin and leadership; the tests',
benchmarks', chaos runs' and the demo's own) is made with ``**client_options(settings)``. The
broker decides who the client is (SASL/SCRAM-SHA-512: the principal ``User:<username>``) and what
it may do (its ACLs: README, "Kafka principals and ACLs"); docs/security.md, "Kafka".
"""

import ssl
from typing import Any

from aiokafka.helpers import create_ssl_context

from shared.settings import KafkaSecuritySettings


def security_settings() -> KafkaSecuritySettings:
    """The sign-in of a tool or test, from the process environment (``KAFKA_*`` as ``infra.py env``
    prints them)."""
    return KafkaSecuritySettings()


def client_options(settings: KafkaSecuritySettings | None = None, *, username: str | None = None, password: str | None = None) -> dict[str, Any]:
    """Keyword arguments for any aiokafka client (producer, consumer, admin) of ``settings``
    (default: the environment's); ``username``/``password`` sign in as another principal (tests
    that act as a publisher or a service). PLAINTEXT gives no options at all."""
    settings = settings if settings is not None else security_settings()
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return {}
    options: dict[str, Any] = {
        "security_protocol": protocol,
        "sasl_mechanism": settings.kafka_sasl_mechanism,
        "sasl_plain_username": username if username is not None else settings.kafka_sasl_username,
        "sasl_plain_password": password if password is not None else settings.kafka_sasl_password.get_secret_value(),
    }
    if protocol == "SASL_SSL":
        options["ssl_context"] = _ssl_context(settings.kafka_ssl_cafile)
    return options


def librdkafka_config(settings: KafkaSecuritySettings | None = None) -> dict[str, str]:
    """The same sign-in for a librdkafka client (``confluent_kafka``: a publisher's own system)."""
    settings = settings if settings is not None else security_settings()
    if settings.kafka_security_protocol == "PLAINTEXT":
        return {}
    config = {
        "security.protocol": settings.kafka_security_protocol.lower(),
        "sasl.mechanism": settings.kafka_sasl_mechanism,
        "sasl.username": settings.kafka_sasl_username,
        "sasl.password": settings.kafka_sasl_password.get_secret_value(),
    }
    if settings.kafka_ssl_cafile:
        config["ssl.ca.location"] = settings.kafka_ssl_cafile
    return config


def java_client_properties(settings: KafkaSecuritySettings | None = None) -> dict[str, str]:
    """The same sign-in for a Java client (Kafka's own tools: the benchmarks' ceilings)."""
    settings = settings if settings is not None else security_settings()
    if settings.kafka_security_protocol == "PLAINTEXT":
        return {}
    user, password = settings.kafka_sasl_username, settings.kafka_sasl_password.get_secret_value()
    props = {
        "security.protocol": settings.kafka_security_protocol,
        "sasl.mechanism": settings.kafka_sasl_mechanism,
        "sasl.jaas.config": f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{user}" password="{password}";',
    }
    if settings.kafka_ssl_cafile:
        props |= {"ssl.truststore.type": "PEM", "ssl.truststore.location": settings.kafka_ssl_cafile}
    return props


def _ssl_context(cafile: str) -> ssl.SSLContext:
    """Verifies the broker's certificate and host name, against ``cafile`` or the system's CAs."""
    return create_ssl_context(cafile=cafile or None)
