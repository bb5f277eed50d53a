"""A message's id follows from its cause, its recipient and its template: never random.

The same trigger delivered twice, or handled again after a crash, yields the same id, and the
message store's unique ``_id`` turns the second creation into nothing. Gateways deduplicate on it.
"""

import uuid

NAMESPACE = uuid.UUID("6f1c2a57-3b0e-4c8e-9d51-0a8e5c0b7d21")


def message_id(cause: str, recipient_key: str, template: str) -> str:
    """``cause``: the triggering event's ``source|id`` (or a durable schedule's key)."""
    return str(uuid.uuid5(NAMESPACE, f"{cause}\x1f{recipient_key}\x1f{template}"))


def derived_event_id(message_id: str, what: str) -> str:
    """CloudEvents id of an event about a message (requested, counted, dead-lettered)."""
    return str(uuid.uuid5(NAMESPACE, f"{message_id}\x1f{what}"))
