"""What a service subscribes with: its handlers by event type, the topic to dead-letter to, how it
deduplicates; and the one refusal a handler may raise. ``consumer.py`` runs them."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from shared.envelope import EventData, Reason
from shared.topics import Topic


class Rejection(Exception):
    """A handler's final refusal of a valid event (e.g. an unregistered source): no retry."""

    def __init__(self, reasons: list[Reason]):
        super().__init__("; ".join(r.message for r in reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Handler:
    model: type[EventData]
    handle: Callable[[Any, Any], Awaitable[None]]  # (envelope, data) -> None


@dataclass(frozen=True)
class Subscription:
    """One consumer group on one or more topics, with its handlers by event type."""

    name: str
    topics: tuple[Topic, ...]
    handlers: dict[str, Handler]
    dead_letter: Topic
    unknown_types: Literal["dead_letter", "skip"] = "dead_letter"
    # A null value on a compacted topic erases what its key held (e.g. a contact, GDPR art. 17):
    # told the key and the record's headers (e.g. why it was erased).
    on_tombstone: Callable[[str, dict[str, str]], Awaitable[None]] | None = field(default=None)
    # The processed-events log: "check" asks it before each message and records what was taken;
    # "record" only records (another edge asks: the registry's REST answers ``duplicate``);
    # "none" neither. The last two are for handlers whose effect is idempotent by itself (a
    # revision or version already kept changes nothing, ids follow from the cause), where asking
    # costs a round trip per message and spares one only on a redelivery. A redelivered message
    # that is refused again is dead-lettered under the same id (``_dead_letter``), which its
    # consumers skip as a duplicate.
    dedup: Literal["check", "record", "none"] = "check"
    # Instead of ``topics``: every topic whose catalogue name (the run's topic prefix taken off)
    # matches this regular expression whole, including topics made while the consumer runs (seen
    # within ``consumer.PATTERN_REFRESH_MS``). E.g. the registry's publisher inboxes.
    pattern: str | None = None
    # Asked of each valid event before its handler and before the dedup look-up, with the catalogue
    # name of the topic it came on: a reason refuses it (dead-lettered as a handler's ``Rejection``).
    # For what the topic itself proves, e.g. which publisher may write an inbox.
    admit: Callable[[str, Any], Awaitable[Reason | None]] | None = field(default=None)

    # Every replica reads the topics in a group of its own (``group``), so each sees every event:
    # for what a replica keeps in memory and serves from (read models), which must be equal on
    # every replica. Its handlers change that memory only, idempotently (the newest version wins);
    # effects that must happen once (a copy written, a message) stay in a shared subscription. So
    # it asks no processed-events log (shared by the replicas: one would skip what another took).
    # What it cannot take it dead-letters under the subscription's name, with the id the message's
    # place gives: every replica's letter of one message is the same letter.
    every_replica: bool = False
    # False: a shared subscription of the same service reads the same topics and letters what
    # neither can take, once; this one only logs it (an every-replica twin of a shared one).
    letters: bool = True

    def __post_init__(self) -> None:
        if bool(self.topics) == bool(self.pattern):
            raise ValueError(f"subscription {self.name!r}: give topics or a pattern, not both or neither")
        if self.every_replica and self.dedup != "none":
            raise ValueError(f"{self.name}: a subscription read by every replica keeps no processed-events log (dedup='none')")

    def group(self, settings: Any) -> str:
        """The consumer group: ``<prefix><service>.<name>``, shared by the replicas (each partition
        read by one of them), or ``<prefix><service>.<name>.<replica_id>`` when ``every_replica``."""
        shared = settings.group(self.name)
        return f"{shared}.{settings.replica_id}" if self.every_replica else shared


def follow(
    name: str,
    topic: Topic,
    models: tuple[type[EventData], ...],
    handle: Callable[[Any, Any], Awaitable[None]],
    dead_letter: Topic,
    dedup: Literal["check", "record", "none"] = "check",
    every_replica: bool = False,
    letters: bool = True,
) -> Subscription:
    """A subscription that handles several types alike and skips the ones it does not know."""
    return Subscription(
        name=name,
        topics=(topic,),
        handlers={m.event_type: Handler(m, handle) for m in models},
        dead_letter=dead_letter,
        unknown_types="skip",
        dedup=dedup,
        every_replica=every_replica,
        letters=letters,
    )
