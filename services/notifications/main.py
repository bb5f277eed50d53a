"""Composition root of notifications."""

from fastapi import FastAPI

from services.notifications.consumers import subscriptions
from services.notifications.organizers import COLLECTION, OrganizerContacts
from services.notifications.settings import NotificationsSettings
from shared.db.aggregates import aggregate_indexes
from shared.runtime import Runtime
from shared.web import create_service_app

INDEXES = aggregate_indexes(COLLECTION)


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    runtime = Runtime(settings, INDEXES)

    async def build() -> None:
        for sub in subscriptions(OrganizerContacts(runtime.aggregate(COLLECTION))):
            runtime.subscribe(sub)

    runtime.on_start(build)
    # Organiser contacts are personal data of a role: no read endpoint exposes them.
    return create_service_app(
        runtime,
        title="Öppna Malmö — notifications",
        description="Email and SMS in the reader's language / E-post och sms på mottagarens språk.",
    )
