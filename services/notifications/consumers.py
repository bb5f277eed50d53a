"""Every subscription of notifications, in one table."""

from services.notifications.organizers import OrganizerContacts
from shared.events.initiatives import INITIATIVE_EVENTS
from shared.kafka.consumer import Subscription, follow
from shared.topics import NOTIFICATIONS_DEADLETTER, REGISTRY_INITIATIVES


def subscriptions(organizers: OrganizerContacts) -> list[Subscription]:
    return [follow("initiatives", REGISTRY_INITIATIVES, INITIATIVE_EVENTS, organizers.apply, NOTIFICATIONS_DEADLETTER)]
