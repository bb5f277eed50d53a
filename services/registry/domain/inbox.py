"""Publishers' inboxes: one Kafka topic per publisher, which the broker lets only it write.

A source registered with ``kafka_principal`` ``User:<name>`` publishes on ``registry.inbox.<name>.v1``;
the broker's ACLs let that principal alone write there (README, "Kafka principals and ACLs"), so
the topic a message arrives on proves who sent it. The registry reads every inbox (one pattern
subscription) and takes an event only when the ``source`` it claims is the source whose principal
the topic proves; anything else is refused as ``source_mismatch`` (docs/security.md, "Kafka").
Pure: names and the rule; the consumer asks it (``usecases.submissions.Submissions.proven``).
"""

import re

from services.registry.domain.states import SourceState
from shared.envelope import Reason
from shared.topics import REGISTRY_INBOX

# What a publisher's principal name may be: it names a topic, and a dot would let one inbox's
# name look like another's (``a.v1`` in ``registry.inbox.a.v1.v1``).
NAME = r"[a-z0-9][a-z0-9-]*"
# The catalogue names of every inbox (a run's topic prefix goes in front): nothing else matches,
# neither ``registry.submissions.v1`` nor another version of an inbox.
INBOX_PATTERN = rf"registry\.inbox\.{NAME}\.v1"
_INBOX = re.compile(rf"^registry\.inbox\.({NAME})\.v1$")


def inbox_topic(name: str) -> str:
    """The inbox of the publisher whose principal is ``User:<name>``."""
    return REGISTRY_INBOX.name.format(publisher=name)


def proven_principal(topic: str) -> str | None:
    """The principal an inbox topic (catalogue name) proves, e.g. ``User:kulturforvaltningen``;
    None for a topic that is not an inbox."""
    match = _INBOX.match(topic)
    return f"User:{match.group(1)}" if match else None


def source_mismatch(state: SourceState | None, source: str, principal: str | None) -> Reason | None:
    """Why an event claiming ``source`` is refused on a topic that proves ``principal`` (None: it
    is that source's own inbox). An unregistered or principal-less claimed source is a mismatch
    too: no inbox proves it."""
    if principal is not None and state is not None and state.get("kafka_principal") == principal:
        return None
    return Reason(
        field="source",
        code="source_mismatch",
        message=f"The source '{source}' is not the publisher whose inbox this is ({principal or 'no inbox'}): publish on your own inbox, as your own source",
    )
