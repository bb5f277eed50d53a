"""Settings every service shares; each service subclasses them with its own defaults.

Read once in the composition root and handed down, so tests and benchmarks can build the
same service against other endpoints.
"""

import json
import socket
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from shared.auth import Role, StaffKey
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class KafkaSecuritySettings(BaseSettings):
    """How a Kafka client signs in (``shared/kafka/security.py`` turns it into client options).
    Every service's settings hold it; tools and tests read it alone from the environment."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT",
        description=(
            "PLAINTEXT only for a broker without authentication; SASL_PLAINTEXT is the local "
            "launcher's; SASL_SSL in compose and the cluster (docs/security.md, \"Kafka\")."
        ),
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512"] = Field(default="SCRAM-SHA-512", description="The SASL mechanism.")
    kafka_sasl_username: str = Field(default="", description="This client's principal (User:<name>) on the broker.")
    kafka_sasl_password: SecretStr = Field(default=SecretStr(""), description="Its SCRAM password.")
    kafka_ssl_cafile: str = Field(
        default="", description="With SASL_SSL: the CA that signed the broker's certificate (PEM); unset: the system's."
    )


class ServiceSettings(KafkaSecuritySettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    service_name: str = Field(description="Name in logs, metrics and Kafka client ids.")
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:19092", description="Kafka brokers, comma separated."
    )
    mongodb_url: str = Field(
        default="mongodb://127.0.0.1:27027/", description="MongoDB (or FerretDB) URL."
    )
    mongodb_database: str = Field(description="This service's own database.")
    ferretdb_postgresql_url: str | None = Field(
        default=None,
        description=(
            "PostgreSQL behind FerretDB, when the database is FerretDB: the service backs its "
            "declared indexes there (FerretDB v1 answers equality filters by full scan otherwise)."
        ),
    )
    kafka_session_timeout_ms: int = Field(
        default=10_000,
        ge=6_000,
        le=300_000,
        description=(
            "How long the group waits for a consumer's heartbeat before giving its partitions to "
            "another member. Short: a killed service's partitions move on soon."
        ),
    )
    replica_id: str = Field(
        default_factory=socket.gethostname,
        description=(
            "This replica's name, unique among one service's replicas (a pod's name; the local "
            "launcher sets <service>-<n>): it names the consumer groups a replica reads alone."
        ),
    )
    replica_count: int = Field(
        default=1,
        ge=1,
        le=64,
        description=(
            "How many replicas of this service run (the local launcher and the manifests set it): a "
            "rate limit counted in each replica's memory is divided by it (docs/security.md)."
        ),
    )
    write_leases: bool = Field(
        default=True,
        description=(
            "Serialise the writes of one document across this service's replicas with a lease in its "
            "database (docs/architecture.md, \"Replicas\"). Off only where exactly one process per "
            "service runs: a benchmark's comparison."
        ),
    )
    topic_prefix: str = Field(
        default="", description="Prefix for every topic and consumer group (isolates test runs)."
    )
    topic_partitions: int = Field(default=4, ge=1, le=256, description="Partitions of new topics.")
    topic_replication_factor: int = Field(default=1, ge=1, le=5)
    db_timeout_ms: int = Field(default=5000, ge=100, description="Timeout of every database call.")
    db_max_pool_size: int = Field(
        default=8, ge=1, le=64, description="Connections per client (FerretDB hangs under more)."
    )
    handler_attempts: int = Field(
        default=5, ge=1, le=20, description="Attempts of a failing handler before its dead letter."
    )
    handler_backoff_s: float = Field(default=0.2, ge=0, description="First retry delay, doubled.")
    http_host: str = Field(default="127.0.0.1")
    http_port: int = Field(default=8000, ge=0, le=65535)
    public_base_url: str = Field(
        default="",
        description=(
            "Where the public reaches this service (scheme and host, e.g. https://program.oppna.malmo.se): "
            "every absolute link it writes starts with it. Default: http://127.0.0.1:<HTTP_PORT>."
        ),
    )
    staff_api_keys: dict[str, StaffKey] = Field(
        default_factory=dict,
        description='Staff keys by key id, as JSON: {"<key_id>": {"role": "curator", "sha256": "<hex>"}}.',
    )
    oidc_issuer: str = Field(
        default="",
        description=(
            "The city's identity provider (OpenID Connect issuer URL): a bearer that is not an om_ key is "
            "then checked at its userinfo endpoint. Unset: only keys (docs/decisions/0012-oidc-userinfo.md)."
        ),
    )
    oidc_role_groups: dict[Role, list[str]] = Field(
        default_factory=dict,
        description='The provider\'s groups that give each staff role, as JSON: {"curator": ["om-curators"], ...}.',
    )
    oidc_groups_claim: str = Field(default="groups", description="The userinfo claim that lists a person's groups.")
    oidc_cache_seconds: float = Field(
        default=30, ge=0, le=60, description="How long a verified token is believed; a revoked one works this long at most."
    )
    oidc_timeout_s: float = Field(default=5, gt=0, le=30, description="How long to wait for the identity provider.")
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest request body accepted; larger ones get 413."
    )
    signup_rate_per_minute: int = Field(
        default=600,
        ge=1,
        description=(
            "Public sign-ups (registrations, subscriptions) per client IP and form, per minute, for the "
            "whole service (each replica allows its share: divided by REPLICA_COUNT). Generous by "
            "default: a school or library shares one IP behind NAT."
        ),
    )
    cors_allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Origins (e.g. https://malmo.se) whose pages may read this service's public read endpoints "
            "from JavaScript (CORS; GET only, no credentials). Comma separated or a JSON list; default none."
        ),
    )
    log_level: str = Field(default="info")
    log_json: bool | None = Field(
        default=None, description="JSON logs; default: JSON unless stderr is a terminal."
    )

    @model_validator(mode="after")
    def _links_follow_the_port(self):
        """Unset: the loopback address and the port this service listens on, so links work locally
        whatever the port (a deployment sets it; ``0.0.0.0`` is not an address a link can name)."""
        if not self.public_base_url:
            object.__setattr__(self, "public_base_url", f"http://127.0.0.1:{self.http_port}")
        return self

    @field_validator("oidc_role_groups")
    @classmethod
    def _staff_roles_only(cls, value: dict[Role, list[str]]) -> dict[Role, list[str]]:
        """Groups give staff roles only: a publisher is its source's key, never a person's group."""
        if Role.source in value:
            raise ValueError("OIDC_ROLE_GROUPS maps groups to curator, scheduler or analyst, not source")
        return value

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer(cls, value: str) -> str:
        return value.strip().rstrip("/")

    @field_validator("public_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        """An http(s) origin: scheme, host, port. No path: the pages link within the service by
        root-relative paths (``/programme/…``), which a path prefix would break; a trailing slash
        is dropped (it doubled the slash in the calendars' URLs)."""
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment or "#" in value:
            raise ValueError(f"{value!r} cannot start a link: give scheme and host only, e.g. https://program.oppna.malmo.se")
        return value.rstrip("/")

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value):
        """Each entry is an origin as a browser sends it: scheme, host and port only."""
        if isinstance(value, str):
            value = json.loads(value) if value.strip().startswith("[") else [v for v in value.split(",") if v.strip()]
        origins = [str(v).strip() for v in value]
        for origin in origins:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.netloc or origin != f"{parts.scheme}://{parts.netloc}":
                raise ValueError(f"{origin!r} is not an origin like https://malmo.se (no path, no trailing slash, no wildcard)")
        return origins

    def topic(self, name: str) -> str:
        """The real topic name of a catalogue topic."""
        return f"{self.topic_prefix}{name}"

    def group(self, name: str) -> str:
        return f"{self.topic_prefix}{self.service_name}.{name}"
