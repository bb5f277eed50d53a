"""Every subscription of reporting, in one table: the topics without personal data only.

Never ``scheduling.contacts.v1``, ``notifications.email.v1`` or ``notifications.sms.v1``
(a unit test holds this). Unknown types are skipped and counted (om_events_handled_total,
outcome "skipped"), never a crash.
"""

from dataclasses import replace
from typing import Protocol

from services.reporting.adapters.facts import InitiativeFacts
from shared.envelope import Envelope, EventData
from shared.events.feedback import FEEDBACK_EVENTS
from shared.events.grants import GRANT_EVENTS
from shared.events.initiatives import INITIATIVE_EVENTS
from shared.events.notifications import DeliveryCountedV1
from shared.events.reports import REPORT_EVENTS
from shared.events.scheduling import REGISTRATION_EVENTS, SESSION_EVENTS
from shared.kafka.subscriptions import Handler, Subscription, follow
from shared.topics import (
    NOTIFICATIONS_DELIVERIES,
    NOTIFICATIONS_FEEDBACK,
    REGISTRY_GRANTS,
    REGISTRY_INITIATIVES,
    REGISTRY_REPORTS,
    REPORTING_DEADLETTER,
    SCHEDULING_REGISTRATIONS,
    SCHEDULING_SESSIONS,
)

# The registry's review events, taken by name until their classes exist in shared/events.
REVIEW_EVENT_TYPES = (
    "se.malmo.oppna.initiative.review_started.v1",
    "se.malmo.oppna.initiative.approved.v1",
    "se.malmo.oppna.initiative.changes_requested.v1",
    "se.malmo.oppna.initiative.rejected.v1",
)
INITIATIVE_TYPES = tuple(dict.fromkeys([*(e.event_type for e in INITIATIVE_EVENTS), *REVIEW_EVENT_TYPES]))


class Handlers(Protocol):
    """The live projection (``usecases/projection.py``) and the rebuild's (``usecases/replay.py``)."""

    async def initiative(self, event: Envelope, data: InitiativeFacts) -> None: ...
    async def state(self, event: Envelope, data: EventData) -> None: ...
    async def delivery(self, event: Envelope, data: EventData) -> None: ...
    async def feedback(self, event: Envelope, data: EventData) -> None: ...


def subscriptions(projection: Handlers) -> list[Subscription]:
    return [
        Subscription(
            name="initiatives",
            topics=(REGISTRY_INITIATIVES,),
            handlers={t: Handler(InitiativeFacts, projection.initiative) for t in INITIATIVE_TYPES},
            dead_letter=REPORTING_DEADLETTER,
            unknown_types="skip",
            # merge_initiative is idempotent and commutative: no processed-events look-up per event.
            dedup="none",
        ),
        # The newest version of each wins, and a delivery is counted once by its key (a unique
        # _id): a repeat changes nothing, so none of them asks the processed-events log first.
        follow("sessions", SCHEDULING_SESSIONS, SESSION_EVENTS, projection.state, REPORTING_DEADLETTER, dedup="none"),
        follow("registrations", SCHEDULING_REGISTRATIONS, REGISTRATION_EVENTS, projection.state, REPORTING_DEADLETTER, dedup="none"),
        follow("deliveries", NOTIFICATIONS_DELIVERIES, (DeliveryCountedV1,), projection.delivery, REPORTING_DEADLETTER, dedup="none"),
        # The follow-up: grant books and reports keep their newest version (a report's figures only,
        # never its text); an answer is counted once by its event id, a released comment by its id.
        follow("grants", REGISTRY_GRANTS, GRANT_EVENTS, projection.state, REPORTING_DEADLETTER, dedup="none"),
        follow("reports", REGISTRY_REPORTS, REPORT_EVENTS, projection.state, REPORTING_DEADLETTER, dedup="none"),
        follow("feedback", NOTIFICATIONS_FEEDBACK, FEEDBACK_EVENTS, projection.feedback, REPORTING_DEADLETTER, dedup="none"),
    ]


def every_replica(memory: Handlers) -> list[Subscription]:
    """The same topics and decisions into this replica's model only (``usecases/replay.py``'s
    ``InMemoryProjection``), each read by every replica in a group of its own: the model is equal on
    every replica, while the summaries are written once, by the shared subscriptions above."""
    return [replace(sub, name=f"{sub.name}.memory", every_replica=True, letters=False) for sub in subscriptions(memory)]
