"""The idempotent producer every service publishes with (acks=all, enable_idempotence)."""

from aiokafka import AIOKafkaProducer

from shared.envelope import CONTENT_TYPE, Envelope
from shared.kafka.security import client_options
from shared.settings import ServiceSettings
from shared.topics import Topic

HEADERS = [("content-type", CONTENT_TYPE.encode())]


class EventProducer:
    """Made anywhere, connected by ``start`` (aiokafka's client needs the running event loop)."""

    def __init__(self, settings: ServiceSettings):
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self._settings.kafka_bootstrap_servers,
            client_id=f"{self._settings.service_name}-producer",
            enable_idempotence=True,  # implies acks=all
            acks="all",
            linger_ms=5,
            request_timeout_ms=30000,
            **client_options(self._settings),
        )
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def publish(self, topic: Topic, event: Envelope, key: str | None = None) -> None:
        """Publish and wait until the broker has it (all in-sync replicas)."""
        await self.publish_raw(topic, event.to_bytes(), key if key is not None else event.subject)

    async def publish_raw(self, topic: Topic, value: bytes | None, key: str | None, headers: dict[str, str] | None = None) -> None:
        """``headers``: more Kafka headers, e.g. why a tombstone (null value) erases its key."""
        await self._producer.send_and_wait(
            self._settings.topic(topic.name),
            value=value,
            key=key.encode() if key is not None else None,
            headers=HEADERS + [(k, v.encode()) for k, v in (headers or {}).items()],
        )

    async def publish_many(self, items: list[tuple[Topic, Envelope, str | None]]) -> None:
        """Publish a batch, pipelined, and wait for every acknowledgement."""
        futures = [
            await self._producer.send(
                self._settings.topic(topic.name),
                value=event.to_bytes(),
                key=(key if key is not None else event.subject or "").encode() or None,
                headers=HEADERS,
            )
            for topic, event, key in items
        ]
        for f in futures:
            await f

    async def ready(self) -> bool:
        try:
            await self._producer.client.fetch_all_metadata()
            return True
        except Exception:
            return False
