"""Helpers to run the real services in the test's event loop, against the real broker and database."""

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from fastapi import FastAPI
from pymongo import monitoring

from shared.auth import Role, StaffKey, hash_key, new_key
from shared.kafka.security import client_options
from shared.settings import ServiceSettings
from shared.kafka.topic_admin import delete_prefixed_topics
from tests.endpoints import Endpoints

# One key per staff role for this test run: ``STAFF_KEYS[Role.curator]`` is a curator's key.
STAFF_KEYS: dict[Role, str] = {role: new_key(f"test{role.value}")[1] for role in Role if role != Role.source}


def staff_settings() -> dict[str, StaffKey]:
    return {f"test{role.value}": StaffKey(role=role, sha256=hash_key(key)) for role, key in STAFF_KEYS.items()}


def as_role(role: Role) -> dict[str, str]:
    """Headers that authenticate as a staff role."""
    return {"authorization": f"Bearer {STAFF_KEYS[role]}"}

def as_source(api_key: str) -> dict[str, str]:
    """Headers that authenticate as a publisher, with the key its registration gave."""
    return {"authorization": f"Bearer {api_key}"}


def staff_env() -> str:
    """``STAFF_API_KEYS`` for a service run as its own process in a test."""
    return json.dumps({key_id: key.model_dump(mode="json") for key_id, key in staff_settings().items()})


async def register_source(
    platform_or_http: "Platform | httpx.AsyncClient", source_uri: str, kind: str = "administration", name: str | None = None
) -> str:
    """Register a publisher with the registry as a curator would; returns its API key (shown once)."""
    http = platform_or_http.http["registry"] if isinstance(platform_or_http, Platform) else platform_or_http
    body = {"source": source_uri, "kind": kind, "name": {"sv": name or source_uri, "en": name or source_uri}}
    r = await http.post("/v1/sources", json=body, headers=as_role(Role.curator))
    assert r.status_code == 201, r.text
    return r.json()["api_key"]


S = TypeVar("S", bound=ServiceSettings)
T = TypeVar("T")


def settings_for(cls: type[S], infra: Endpoints, run_id: str, **overrides: Any) -> S:
    name = cls.model_fields["service_name"].default
    values = dict(
        kafka_bootstrap_servers=infra.kafka,
        mongodb_url=infra.mongodb,
        ferretdb_postgresql_url=infra.ferretdb_postgresql,
        topic_prefix=f"{run_id}.",
        mongodb_database=f"{run_id}_{name}",
        handler_backoff_s=0.01,
        log_json=True,
        log_level="warning",
        staff_api_keys=staff_settings(),
    )
    values.update(overrides)
    return cls(**values)


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (consumers, relays) and give an HTTP client on it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service", timeout=30) as client:
            yield client


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 30, what: str = "condition") -> T:
    """Poll until ``check`` returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


class CommandLog(monitoring.CommandListener):
    """The commands a client sent to one database, in order, for tests that count round trips:
    what a person checking a change that saves them looks at (it does not depend on the machine)."""

    def __init__(self, database: str):
        self.database = database
        self.commands: list[dict] = []

    def started(self, event):
        if event.database_name == self.database:
            self.commands.append(event.command)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass

    def sent(self, name: str, collection: str | None = None) -> list[dict]:
        """The ``name`` commands (find, insert, update, …), to ``collection`` if given."""
        return [c for c in self.commands if name in c and (collection is None or c[name] == collection)]


class RawKafka:
    """A plain Kafka client, as an administration's own system would use (any client, bytes in)."""

    def __init__(self, bootstrap: str, prefix: str):
        self._bootstrap = bootstrap
        self._prefix = prefix
        self._producer: AIOKafkaProducer | None = None

    async def __aenter__(self) -> "RawKafka":
        self._producer = AIOKafkaProducer(bootstrap_servers=self._bootstrap, enable_idempotence=True, **client_options())
        await self._producer.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self._producer.stop()

    async def send(self, topic: str, value: bytes, key: str | None = None) -> None:
        await self._producer.send_and_wait(self._prefix + topic, value=value, key=key.encode() if key else None)

    async def read(self, topic: str, until: Callable[[list[dict]], bool], timeout: float = 30, keys: bool = False) -> list[dict]:
        """Every JSON message on the topic from the beginning, read until ``until(messages)`` holds;
        with ``keys``, each with its Kafka key (text) as ``_key``."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False, group_id=None, **client_options())
        await consumer.start()
        try:
            name = self._prefix + topic
            partitions = [TopicPartition(name, p) for p in (consumer.partitions_for_topic(name) or await _partitions(consumer, name))]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            seen: list[dict] = []
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=200)
                for msgs in batch.values():
                    seen.extend({**json.loads(m.value), **({"_key": m.key and m.key.decode()} if keys else {})} for m in msgs)
                if until(seen):
                    return seen
            raise AssertionError(f"timed out reading {topic}: {len(seen)} messages")
        finally:
            await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()


def submission(source: str, external_id: str, revision: int = 1, **data_overrides: Any) -> dict:
    """A complete, valid initiative.submitted CloudEvent, as a publisher would send it."""
    data = {
        "external_id": external_id,
        "revision": revision,
        "title": {"sv": f"Demokratisamtal {external_id}", "en": f"Democracy talk {external_id}"},
        "summary": {"sv": "Samtal om demokrati i Rosengård.", "en": "Talks about democracy in Rosengård."},
        "organizer": {"kind": "administration", "name": "Kulturförvaltningen"},
        "themes": ["democracy", "participation"],
        "origin": "new",
        "districts": ["rosengard"],
        "languages": ["sv", "ar"],
        "period": {"start": "2025-10-06", "end": "2025-10-19"},
        "expected_participants": 40,
        "budget": {"requested_sek": 25000, "own_funding_sek": 10000},
        "contact": {"name": "Programansvarig", "email": "program@example.org"},
    }
    data.update(data_overrides)
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "type": "se.malmo.oppna.initiative.submitted.v1",
        "subject": external_id,
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "data": data,
    }


class Platform:
    """Running services by name: ``.http[name]`` clients, ``.apps[name]``, ``.settings[name]``, ``.kafka`` raw client."""

    def __init__(self, infra: Endpoints, run_id: str):
        self.infra = infra
        self.run_id = run_id
        self.http: dict[str, httpx.AsyncClient] = {}
        self.apps: dict[str, FastAPI] = {}  # for a client of the test's own making (a generated one)
        self.settings: dict[str, ServiceSettings] = {}
        self.kafka: RawKafka | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def start(cls, infra: Endpoints, run_id: str, **services: tuple[Callable, type[ServiceSettings]]) -> AsyncIterator["Platform"]:
        platform = cls(infra, run_id)
        async with contextlib.AsyncExitStack() as stack:
            for name, (create_app, settings_cls) in services.items():
                settings = settings_for(settings_cls, infra, run_id)
                platform.settings[name] = settings
                platform.apps[name] = create_app(settings)
                platform.http[name] = await stack.enter_async_context(running(platform.apps[name]))
            platform.kafka = await stack.enter_async_context(RawKafka(infra.kafka, f"{run_id}."))
            try:
                yield platform
            finally:
                await stack.aclose()
                await platform.cleanup()

    async def cleanup(self) -> None:
        """Drop this run's databases and topics: the machine is left as found."""
        from pymongo import AsyncMongoClient

        client = AsyncMongoClient(self.infra.mongodb, timeoutMS=20000)
        try:
            for s in self.settings.values():
                await client.drop_database(s.mongodb_database)
        finally:
            await client.close()
        await delete_prefixed_topics(self.infra.kafka, f"{self.run_id}.")


def service_fixture(name: str, app: Callable[..., FastAPI], settings: type[ServiceSettings], prefix: str):
    """A module-scoped fixture named ``name``: that one service started on the platform under the
    run id + ``prefix`` (so each test module has its own topics and database)."""

    async def started(infra, run_id):
        async with Platform.start(infra, f"{run_id}{prefix}", **{name: (app, settings)}) as p:
            yield p

    return pytest.fixture(scope="module", name=name)(started)
