"""Turning a state into the event an aggregate's outbox carries, with an id that survives a retry."""

import uuid
from datetime import datetime

from shared.decisions import Pending
from shared.envelope import EventData, new_event
from shared.topics import Topic

ID_NAMESPACE = uuid.UUID("3b0d7c1e-5a8f-4f52-9a3c-6e1f0b2d8c47")


def event_id(aggregate_id: str, version: int, n: int = 0) -> str:
    """The n-th event of the change that made ``version``: the same after a crash and a retry."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{aggregate_id}\n{version}\n{n}"))


def emit(
    topic: Topic,
    model: type[EventData],
    payload: dict,
    version: int,
    aggregate_id: str,
    now: datetime,
    source: str,
    n: int = 0,
    subject: str | None = None,
    data_version: int | None = None,
) -> Pending:
    """``version`` is the aggregate's (it makes the id); the data's ``version`` is ``data_version`` or that."""
    data = model.model_validate({**payload, "version": data_version if data_version is not None else version})
    event = new_event(data, source=source, subject=subject or aggregate_id, event_id=event_id(aggregate_id, version, n), time=now)
    return Pending.of(topic, event)
