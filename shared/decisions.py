"""What a pure decision returns (docs/architecture.md, "Storage").

A decision is the new state of one aggregate plus the events to publish with it. It is made by a
pure function from the aggregate's current state (None when new), its ``state_version`` and
``now`` passed in by the caller: no reads, no clock, no I/O inside. The store that applies it
(``shared/db/aggregates.py``) writes the state and the events' outbox in one single-document write,
so they are recorded together or not at all. ``NoChange`` (or None) means nothing is written.
Either may carry an ``outcome``: what the caller learns from the decision (a refusal, the seat
taken), handed back by the store beside the document, so a decision never reports through a
list passed in or an exception raised from inside.

This module imports no database or Kafka package (tests/unit/test_code_shape.py), so a
domain module can make decisions without depending on how they are stored or published.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.envelope import Envelope

if TYPE_CHECKING:  # only the topic's name is read; shared.topics also creates topics on Kafka
    from shared.topics import Topic


@dataclass(frozen=True)
class Pending:
    """An event waiting in an aggregate's outbox for its topic. ``key``: its Kafka key where that is
    not the aggregate's id (a message in a page of messages is keyed by its own id)."""

    topic: str
    event: dict[str, Any]
    key: str | None = None

    @staticmethod
    def of(topic: "Topic", event: Envelope, key: str | None = None) -> "Pending":
        return Pending(topic.name, event.model_dump(mode="json", exclude_none=True), key)

    def entry(self) -> dict[str, Any]:
        """The outbox entry the store writes: topic, event, and the key where one is given."""
        return {"topic": self.topic, "event": self.event, **({"key": self.key} if self.key is not None else {})}


@dataclass(frozen=True)
class Decision:
    """What a pure decision function returns: the new state, the events it caused, and what the
    caller should learn from it."""

    state: dict[str, Any]
    events: list[Pending] = field(default_factory=list)
    outcome: Any = None


@dataclass(frozen=True)
class NoChange:
    """A decision to write nothing; ``outcome`` says why or what was found, for the caller."""

    outcome: Any = None


# (current state or None, its state_version (0 when new)) -> what to write; None is NoChange()
Decide = Callable[[dict[str, Any] | None, int], Decision | NoChange | None]
