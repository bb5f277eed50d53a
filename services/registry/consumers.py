"""Every subscription of the registry, in one table: topic → use case."""

from services.registry.adapters.editions import EDITION_EVENTS, Editions
from services.registry.adapters.rejections import Rejections
from services.registry.adapters.staff_index import StaffIndex
from services.registry.adapters.reports import SESSION_EVENTS, SessionStarts
from services.registry.domain.inbox import INBOX_PATTERN
from services.registry.domain.initiatives import SUBMISSION_TYPES
from services.registry.usecases.reports import Reports
from services.registry.usecases.submissions import Submissions
from shared.events.reports import ReportSubmittedV1
from shared.events.dead_letters import MessageFailedV1, MessageRejectedV1
from shared.kafka.subscriptions import Handler, Subscription, follow
from shared.events.initiatives import INITIATIVE_EVENTS
from shared.topics import REGISTRY_DEADLETTER, REGISTRY_INITIATIVES, REGISTRY_REJECTED, REGISTRY_SUBMISSIONS, SCHEDULING_SESSIONS

DEDUP_SCOPE = "submissions"  # shared with REST, so one event id takes effect once whichever way it came
REJECTIONS_SCOPE = "rejections"
EDITIONS_SCOPE = "editions"
SESSION_STARTS_SCOPE = "session_starts"
STAFF_INDEX_SCOPE = "staff_index"


def subscriptions(submissions: Submissions, rejections: Rejections, editions: Editions, reports: Reports,
                  starts: SessionStarts) -> list[tuple[Subscription, str]]:
    """(subscription, dedup scope) pairs."""
    publishers = {
        t: Handler(model, lambda event, data: submissions.dispatch(event, data, "kafka"))
        for t, model in SUBMISSION_TYPES.items()
    } | {ReportSubmittedV1.event_type: Handler(ReportSubmittedV1, reports.submitted)}  # outcome reports, beside initiatives
    return [
        (
            Subscription(
                name="submissions",
                topics=(REGISTRY_SUBMISSIONS,),
                handlers=publishers,
                dead_letter=REGISTRY_REJECTED,
                # A submission or withdrawal already kept changes nothing (the revision is in the
                # initiative's history), so a redelivery needs no look-up first: one read less per
                # submission at ingest. Still recorded: REST asks, to answer ``duplicate: true``.
                dedup="record",
            ),
            DEDUP_SCOPE,
        ),
        (
            # Every publisher's own inbox (domain/inbox.py): the broker lets only its principal
            # write it, so an event claiming another source is refused before it is handled.
            Subscription(
                name="inbox",
                topics=(),
                pattern=INBOX_PATTERN,
                admit=submissions.proven,
                handlers=publishers,
                dead_letter=REGISTRY_REJECTED,
                dedup="record",
            ),
            DEDUP_SCOPE,
        ),
        (
            # The registry's own dead letters, kept so each source can list its rejections.
            # Unknown types are skipped: this subscription must never dead-letter into itself.
            Subscription(
                name="rejections",
                topics=(REGISTRY_REJECTED,),
                handlers={m.event_type: Handler(m, rejections.record) for m in (MessageRejectedV1, MessageFailedV1)},
                dead_letter=REGISTRY_REJECTED,
                unknown_types="skip",
            ),
            REJECTIONS_SCOPE,
        ),
        (
            # The editions on scheduling.sessions.v1 (sessions are skipped). The copy keeps the
            # newest version, so a repeat changes nothing: no processed-events look-up.
            follow("editions", SCHEDULING_SESSIONS, EDITION_EVENTS, editions.keep, REGISTRY_DEADLETTER, dedup="none"),
            EDITIONS_SCOPE,
        ),
        (
            # The sessions on the same topic (editions skipped), for when each initiative's first
            # session begins: an outcome report waits for it. Newest version kept: no look-up.
            follow("session_starts", SCHEDULING_SESSIONS, SESSION_EVENTS, starts.keep, REGISTRY_DEADLETTER, dedup="none"),
            SESSION_STARTS_SCOPE,
        ),
    ]


def every_replica(index: StaffIndex) -> list[tuple[Subscription, str]]:
    """Read by every replica, each in a group of its own: the registry's own initiatives keep each
    replica's staff index equal to the others' (adapters/staff_index.py). Memory only; the newest
    version wins."""
    staff_index = follow("staff-index", REGISTRY_INITIATIVES, INITIATIVE_EVENTS, index.heard, REGISTRY_DEADLETTER, dedup="none",
                         every_replica=True)
    return [(staff_index, STAFF_INDEX_SCOPE)]
