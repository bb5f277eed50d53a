"""Every subscription of reporting, in one table. Unknown types are skipped and counted."""

from services.reporting.projection import InitiativeProjection
from shared.events.initiatives import INITIATIVE_EVENTS
from shared.kafka.consumer import Subscription, follow
from shared.topics import REGISTRY_INITIATIVES, REPORTING_DEADLETTER


def subscriptions(initiatives: InitiativeProjection) -> list[Subscription]:
    return [follow("initiatives", REGISTRY_INITIATIVES, INITIATIVE_EVENTS, initiatives.apply, REPORTING_DEADLETTER)]
