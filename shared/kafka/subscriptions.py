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

def follow(
    name: str,
    topic: Topic,
    models: tuple[type[EventData], ...],
    handle: Callable[[Any, Any], Awaitable[None]],
    dead_letter: Topic,
    dedup: Literal["check", "record", "none"] = "check",
) -> Subscription:
    """A subscription that handles several types alike and skips the ones it does not know."""
    return Subscription(
        name=name,
        topics=(topic,),
        handlers={m.event_type: Handler(m, handle) for m in models},
        dead_letter=dead_letter,
        unknown_types="skip",
        dedup=dedup,
    )
