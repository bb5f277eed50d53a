"""The consumer runner: typed handlers, bounded retries, dead letters, dedup, commit after effect.

For each message, in partition order:
1. parse the CloudEvent strictly, in structured or binary mode (its value and its headers, which
   the runner hands over; an event without ``time`` gets the record's timestamp); a message
   that is not one is dead-lettered with reasons and whatever of its source, id and type could
   be read (so its publisher can be shown it);
2. find the handler for its type (an unknown type is dead-lettered or skipped, per subscription);
3. validate its data against the type's model (invalid: dead-lettered with the fields), and
   ask the subscription's ``admit`` what its topic proves (e.g. which publisher may write it);
4. skip it if (source, id) was processed before, asked of the log (``dedup="check"``, the
   default) or, where the handlers are idempotent by themselves, left to them;
5. run the handler, retrying with exponential backoff (tenacity); a ``Rejection`` is final;
   a handler that still fails after the bounded attempts is dead-lettered with the reason;
6. record (source, id) as processed (for the whole batch at once, before its commit), unless
   no one asks (``dedup="none"``).
Offsets are committed per partition only after every message before them took effect, so a
crash anywhere redelivers, and idempotent handlers make the redelivery change nothing.

Within one partition's batch, messages with different Kafka keys are handled side by side (at
most ``concurrency`` at once per runner), messages with the same key strictly in order, and
messages without a key as one sequence. Publishers key by what must stay in order (an
initiative, a source, a registration), so per-key order is all the order consumers rely on;
a partition handled one message after another held the registry's ingest to one database
round trip at a time. The batch is committed only once every key's messages took effect.
"""

import asyncio
import contextlib
import re
import time

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from tenacity import AsyncRetrying, retry_if_not_exception_type, stop_after_attempt, wait_exponential

from shared.db.processed import ProcessedEvents
from shared.envelope import InvalidEvent, Reason, kafka_headers, parse_data, parse_envelope
from shared.events.dead_letters import MessageFailedV1, MessageRejectedV1
from shared.kafka.failures import Interrupted, is_handed_over, is_infrastructure
from shared.kafka.originals import dead_letter_event, original_of, readable_fields, received_at
from shared.kafka.producer import EventProducer
from shared.kafka.security import client_options
from shared.kafka.subscriptions import Handler, Rejection, Subscription
from shared.logs import bound_to
from shared.metrics import CONSUMER_LAG, DEAD_LETTERS, EVENTS_HANDLED, HANDLER_SECONDS, UNATTRIBUTED_DEAD_LETTERS
from shared.settings import ServiceSettings

log = structlog.get_logger(__name__)

METADATA_MAX_AGE_MS = 300_000  # aiokafka's default
# A pattern subscription learns of new matching topics (a publisher's new inbox) from metadata:
# asked this often, a new topic is read within seconds.
PATTERN_REFRESH_MS = 5_000


class ConsumerRunner:
    def __init__(
        self,
        settings: ServiceSettings,
        subscription: Subscription,
        producer: EventProducer,
        processed: ProcessedEvents,
        max_records: int = 200,
        concurrency: int = 16,
    ):
        self._settings = settings
        self._sub = subscription
        self._producer = producer
        self._processed = processed
        self._max_records = max_records
        # Messages in hand at once across the runner's partitions (each holds a DB round trip).
        self._slots = asyncio.Semaphore(concurrency)
        self._group = subscription.group(settings)
        # What a dead letter names: the subscription, not the replica. Every replica of an
        # every-replica subscription refuses the same message; their letters are one (one id).
        self._letters_from = settings.group(subscription.name)
        self._consumer = AIOKafkaConsumer(
            *(settings.topic(t.name) for t in subscription.topics),
            metadata_max_age_ms=PATTERN_REFRESH_MS if subscription.pattern else METADATA_MAX_AGE_MS,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=self._group,
            client_id=f"{settings.service_name}-{subscription.name}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=300_000,
            session_timeout_ms=settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=max(1000, settings.kafka_session_timeout_ms // 3),
            **client_options(settings),
        )
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()
        self.failed: BaseException | None = None

    @property
    def group(self) -> str:
        return self._group

    async def start(self) -> None:
        await self._consumer.start()
        if self._sub.pattern:
            prefix = re.escape(self._settings.topic_prefix)
            self._consumer.subscribe(pattern=f"^{prefix}(?:{self._sub.pattern})$")
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self._sub.name}")

    async def stop(self) -> None:
        """Finish the batch in hand, commit it, and leave the group (SIGTERM drains)."""
        self._stopping.set()
        if self._task:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout=30)
        await self._consumer.stop()

    def healthy(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                batches = await self._consumer.getmany(timeout_ms=200, max_records=self._max_records)
                if not batches:
                    continue
                # Partitions are independent (one aggregate stays on one partition): handle them
                # side by side, each in order, then commit each after its last effect.
                tps = list(batches)
                results = await asyncio.gather(*(self._partition(tp, batches[tp]) for tp in tps), return_exceptions=True)
                failed = {tp: r for tp, r in zip(tps, results, strict=True) if isinstance(r, BaseException)}
                if any(isinstance(r, Interrupted) for r in failed.values()):
                    return
                for error in failed.values():
                    if not is_infrastructure(error) and not is_handed_over(error):
                        raise error
                handed_over = [tp for tp, error in failed.items() if is_handed_over(error)]
                if handed_over:
                    log.warning("batch_handed_over", group=self._group, partitions=[f"{tp.topic}/{tp.partition}" for tp in handed_over],
                                error=repr(failed[handed_over[0]]))
                    failed = {tp: e for tp, e in failed.items() if tp not in handed_over}
                if failed:
                    # An engine went away mid-batch: nothing of it was committed; take it again
                    # from the last commit once the engine is back (the handlers are idempotent).
                    log.warning("batch_interrupted", group=self._group, error=repr(next(iter(failed.values()))))
                    await asyncio.sleep(1)
                    await self._seek_to_committed(list(failed))
        except Exception as e:  # the runner stops; /readyz turns red and the offsets are safe
            self.failed = e
            log.exception("consumer_stopped", group=self._group)
            raise

    async def _seek_to_committed(self, tps: list[TopicPartition]) -> None:
        while not self._stopping.is_set():
            # A partition the group gave away meanwhile is its new owner's to take again.
            tps = [tp for tp in tps if tp in self._consumer.assignment()]
            if not tps:
                return
            try:
                await self._consumer.seek_to_committed(*tps)
                return
            except Exception as e:
                if not is_infrastructure(e):
                    raise
                await asyncio.sleep(1)

    async def _partition(self, tp: TopicPartition, msgs: list[ConsumerRecord]) -> None:
        sequences: dict[bytes | None, list[ConsumerRecord]] = {}
        for msg in msgs:  # dicts keep insertion order: each key's messages stay in offset order
            sequences.setdefault(msg.key, []).append(msg)
        # (source, id) of what took effect (or was dead-lettered), recorded in one insert_many
        # before the commit rather than one insert per message.
        taken: list[tuple[str, str]] = []
        results = await asyncio.gather(*(self._sequence(seq, taken) for seq in sequences.values()), return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        recorded = taken if self._sub.dedup != "none" else []
        if errors:
            with contextlib.suppress(Exception):  # spares a redelivery some work; not needed for it
                await self._processed.record_many(recorded)
            # Nothing of the batch is committed; the other keys' effects are redone idempotently
            # (and mostly skipped by dedup) when the batch is taken again.
            raise next((e for e in errors if isinstance(e, Interrupted)), errors[0])
        await self._processed.record_many(recorded)
        await self._consumer.commit({tp: msgs[-1].offset + 1})
        highwater = self._consumer.highwater(tp)
        if highwater is not None:
            CONSUMER_LAG.labels(self._group, tp.topic, tp.partition).set(max(0, highwater - msgs[-1].offset - 1))

    async def _sequence(self, msgs: list[ConsumerRecord], taken: list[tuple[str, str]]) -> None:
        """One key's messages, in order; a failure stops the rest of this key (not the others)."""
        for msg in msgs:
            async with self._slots:
                await self._one(msg, taken)

    async def _one(self, msg: ConsumerRecord, taken: list[tuple[str, str]]) -> None:
        if msg.value is None:
            if self._sub.on_tombstone is not None and msg.key is not None:
                told = {k: (v or b"").decode("utf-8", errors="replace") for k, v in msg.headers or ()}
                await self._sub.on_tombstone(msg.key.decode("utf-8", errors="replace"), told)
            EVENTS_HANDLED.labels(self._group, "tombstone", "ok").inc()
            return
        headers = kafka_headers(msg.headers)
        try:
            envelope = parse_envelope(msg.value or b"", headers, received_at(msg))
        except InvalidEvent as e:
            return await self._reject(msg, e.reasons, "invalid", readable_fields(msg.value, headers))
        ce = {"ce_source": envelope.source, "ce_id": envelope.id, "ce_type": envelope.type}
        handler = self._sub.handlers.get(envelope.type)
        if handler is None:
            if self._sub.unknown_types == "skip":
                EVENTS_HANDLED.labels(self._group, envelope.type, "skipped").inc()
                return
            reason = Reason(field="type", code="unknown_type", message=f"This topic takes no events of type '{envelope.type}'")
            return await self._reject(msg, [reason], "invalid", ce)
        try:
            data = parse_data(envelope, handler.model)
        except InvalidEvent as e:
            return await self._reject(msg, e.reasons, "invalid", ce)
        if self._sub.admit is not None:
            reason = await self._sub.admit(msg.topic.removeprefix(self._settings.topic_prefix), envelope)
            if reason is not None:
                return await self._reject(msg, [reason], "rejected", ce)
        if (envelope.source, envelope.id) in taken or (self._sub.dedup == "check" and await self._processed.seen(envelope.source, envelope.id)):
            EVENTS_HANDLED.labels(self._group, envelope.type, "duplicate").inc()
            return
        with bound_to(envelope):
            started = time.perf_counter()
            try:
                await self._handle(handler, envelope, data)
            except Rejection as r:
                await self._reject(msg, r.reasons, "rejected", ce)
            except Exception as e:
                log.warning("handler_failed", error=repr(e), attempts=self._settings.handler_attempts)
                reason = Reason(field="", code="handler_failed", message=f"{type(e).__name__}: {e}"[:1000])
                await self._dead_letter(
                    MessageFailedV1(consumer=self._letters_from, attempts=self._settings.handler_attempts, reasons=[reason], original=original_of(msg, ce)),
                    "handler_failed",
                )
            else:
                EVENTS_HANDLED.labels(self._group, envelope.type, "ok").inc()
            HANDLER_SECONDS.labels(self._group).observe(time.perf_counter() - started)
            taken.append((envelope.source, envelope.id))

    async def _handle(self, handler: Handler, envelope, data) -> None:
        """Bounded retries for the message's own trouble; an engine that is away is waited for."""
        while True:
            try:
                async for attempt in AsyncRetrying(
                    stop=stop_after_attempt(self._settings.handler_attempts),
                    wait=wait_exponential(multiplier=self._settings.handler_backoff_s, max=10),
                    retry=retry_if_not_exception_type(Rejection),
                    reraise=True,
                ):
                    with attempt:
                        await handler.handle(envelope, data)
                return
            except Exception as e:
                if not is_infrastructure(e):
                    raise
                if self._stopping.is_set():
                    raise Interrupted() from e
                log.warning("engine_unavailable", error=repr(e)[:300])
                await asyncio.sleep(2)

    async def _reject(self, msg: ConsumerRecord, reasons: list[Reason], outcome: str, ce: dict | None = None) -> None:
        log.info("message_rejected", topic=msg.topic, offset=msg.offset, reasons=[r.code for r in reasons])
        await self._dead_letter(MessageRejectedV1(consumer=self._letters_from, reasons=reasons, original=original_of(msg, ce)), reasons[0].code)
        EVENTS_HANDLED.labels(self._group, (ce or {}).get("ce_type") or "unreadable", outcome).inc()

    async def _dead_letter(self, data: MessageRejectedV1 | MessageFailedV1, code: str) -> None:
        if not self._sub.letters:  # its shared twin letters it, once
            log.warning("not_taken_into_memory", code=code, consumer=self._group)
            return
        event = dead_letter_event(data, self._letters_from, self._settings.service_name)
        # Keyed by the original publisher, so one source's dead letters stay in order together.
        await self._producer.publish(self._sub.dead_letter, event, key=data.original.ce_source or "unknown")
        DEAD_LETTERS.labels(self._group, code).inc()
        if data.original.ce_source is None:  # no publisher to show it to: staff watch this one
            UNATTRIBUTED_DEAD_LETTERS.labels(self._group, code).inc()
