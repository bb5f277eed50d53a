"""Every subscription of notifications, in one table."""

from datetime import datetime

from services.notifications.usecases.report_reminders import ReportReminders
from services.notifications.usecases.surveys import Surveys
from services.notifications.usecases.triggers import Triggers
from shared.envelope import EventData
from shared.events.initiatives import INITIATIVE_EVENTS, InitiativeContactErasedV1, InitiativeContactRecordedV1
from shared.events.notifications import NotificationDeliveredV1, NotificationFailedV1
from shared.events.reports import REPORT_EVENTS
from shared.events.sources import SOURCE_EVENTS
from shared.events.scheduling import (
    EditionClosedV1,
    EditionPlannedV1,
    EditionProgrammePublishedV1,
    EditionUpdatedV1,
    REGISTRATION_EVENTS,
    RegistrationContactRecordedV1,
    SessionCancelledV1,
    SessionPublishedV1,
    SessionRescheduledV1,
    SessionScheduledV1,
    SessionUpdatedV1,
)
from shared.kafka.subscriptions import Handler, Subscription
from shared.sources import SourceCopies
from shared.topics import (
    NOTIFICATIONS_DEADLETTER,
    NOTIFICATIONS_RECEIPTS,
    REGISTRY_CONTACTS,
    REGISTRY_INITIATIVES,
    REGISTRY_REPORTS,
    REGISTRY_SOURCES,
    SCHEDULING_CONTACTS,
    SCHEDULING_REGISTRATIONS,
    SCHEDULING_SESSIONS,
)

# The registry's review events (approved, changes requested, rejected) are taken by type name
# with this tolerant model, which reads every registry event alike (each carries the initiative's
# full state): notifications needs only the id, version, status, title and review, and
# keeps working whatever else the registry adds or tightens in its own models.
REVIEW_TYPES = tuple(f"se.malmo.oppna.initiative.{d}.v1" for d in ("approved", "changes_requested", "rejected"))


class InitiativeSeen(EventData):
    initiative_id: str
    version: int
    status: str
    content: dict | None = None
    review: dict | None = None
    updated_at: datetime


def subscriptions(t: Triggers, surveys: Surveys, reminders: ReportReminders, sources: SourceCopies) -> list[Subscription]:
    initiative_types = {m.event_type for m in INITIATIVE_EVENTS} | set(REVIEW_TYPES)
    editions = (EditionPlannedV1, EditionUpdatedV1, EditionProgrammePublishedV1, EditionClosedV1)
    sessions = (SessionScheduledV1, SessionPublishedV1, SessionUpdatedV1, SessionRescheduledV1, SessionCancelledV1)
    return [
        # Idempotent by themselves (the organiser's copy keeps the newest version; a decision's
        # message id follows from the event), so no processed-events look-up per event.
        Subscription("initiatives", (REGISTRY_INITIATIVES,), {name: Handler(InitiativeSeen, t.on_initiative) for name in initiative_types}, NOTIFICATIONS_DEADLETTER,
                     unknown_types="skip", dedup="none"),
        # Organisers' contacts (restricted topic): the copy keeps the newest version, so no look-up.
        Subscription("organiser_contacts", (REGISTRY_CONTACTS,),
                     {InitiativeContactRecordedV1.event_type: Handler(InitiativeContactRecordedV1, t.on_organiser_contact),
                      InitiativeContactErasedV1.event_type: Handler(InitiativeContactErasedV1, t.on_organiser_contact_erased)},
                     NOTIFICATIONS_DEADLETTER, unknown_types="skip", dedup="none"),
        Subscription(
            "sessions", (SCHEDULING_SESSIONS,),
            {**{m.event_type: Handler(m, t.on_edition) for m in editions}, **{m.event_type: Handler(m, t.on_session) for m in sessions}},
            NOTIFICATIONS_DEADLETTER, unknown_types="skip",
        ),
        # The copy keeps the newest version and a repeat of it acts again idempotently (message ids
        # follow from the cause), so no processed-events look-up per registration. Contacts keep
        # theirs: they carry no version, so only the log tells a republished old value.
        Subscription("registrations", (SCHEDULING_REGISTRATIONS,), {m.event_type: Handler(m, t.on_registration) for m in REGISTRATION_EVENTS}, NOTIFICATIONS_DEADLETTER,
                     unknown_types="skip", dedup="none"),
        Subscription(
            "contacts", (SCHEDULING_CONTACTS,), {RegistrationContactRecordedV1.event_type: Handler(RegistrationContactRecordedV1, t.on_contact)},
            NOTIFICATIONS_DEADLETTER, unknown_types="skip", on_tombstone=t.on_contact_tombstone,
        ),
        # The feedback survey and the report reminders follow sessions in their own group: each
        # session's document keeps what its newest version says (a repeat changes nothing).
        Subscription("feedback_sessions", (SCHEDULING_SESSIONS,), {m.event_type: Handler(m, _both(surveys.on_session, reminders.on_session)) for m in sessions},
                     NOTIFICATIONS_DEADLETTER, unknown_types="skip", dedup="none"),
        # Any event of an initiative's report means a report exists: set once, a repeat changes nothing.
        Subscription("reports", (REGISTRY_REPORTS,), {m.event_type: Handler(m, reminders.on_report) for m in REPORT_EVENTS}, NOTIFICATIONS_DEADLETTER,
                     unknown_types="skip", dedup="none"),
        # Publishers' keys (hashes): the copy keeps the newest version of each source.
        Subscription("sources", (REGISTRY_SOURCES,), {m.event_type: Handler(m, sources.apply) for m in SOURCE_EVENTS}, NOTIFICATIONS_DEADLETTER,
                     unknown_types="skip", dedup="none"),
        Subscription(
            "receipts", (NOTIFICATIONS_RECEIPTS,),
            {m.event_type: Handler(m, t.on_receipt) for m in (NotificationDeliveredV1, NotificationFailedV1)}, NOTIFICATIONS_DEADLETTER, unknown_types="skip",
        ),
        # Read by every replica, each in a group of its own, into its memory only: publishers' keys,
        # and cancellations for the fan-outs running there (usecases/withdrawals.py).
        Subscription("sources-keys", (REGISTRY_SOURCES,), {m.event_type: Handler(m, sources.remember) for m in SOURCE_EVENTS}, NOTIFICATIONS_DEADLETTER,
                     unknown_types="skip", dedup="none", every_replica=True, letters=False),
        Subscription("cancellations", (SCHEDULING_REGISTRATIONS,), {m.event_type: Handler(m, _told_cancelled(t)) for m in REGISTRATION_EVENTS},
                     NOTIFICATIONS_DEADLETTER, unknown_types="skip", dedup="none", every_replica=True, letters=False),
    ]


def _told_cancelled(t: Triggers):
    async def handle(event, data) -> None:
        if data.status == "cancelled":
            t.withdrawals.tell(data.session_id, data.registration_id)

    return handle


def _both(*handlers):
    async def handle(event, data) -> None:
        for handler in handlers:
            await handler(event, data)

    return handle
