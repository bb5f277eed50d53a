"""Every subscription of the registry, in one table."""

from services.registry.rejections import Rejections
from services.registry.submissions import Submissions
from shared.events.dead_letters import MessageFailedV1, MessageRejectedV1
from shared.events.initiatives import InitiativeSubmittedV1, InitiativeWithdrawnV1
from shared.kafka.consumer import Handler, Subscription
from shared.topics import REGISTRY_REJECTED, REGISTRY_SUBMISSIONS

SUBMISSION_TYPES = {m.event_type: m for m in (InitiativeSubmittedV1, InitiativeWithdrawnV1)}
DEDUP_SCOPE = "submissions"  # shared with REST, so one event id takes effect once whichever way it came
REJECTIONS_SCOPE = "rejections"


def subscriptions(submissions: Submissions, rejections: Rejections) -> list[tuple[Subscription, str]]:
    """(subscription, dedup scope) pairs."""
    return [
        (
            Subscription(
                name="submissions",
                topics=(REGISTRY_SUBMISSIONS,),
                handlers={
                    t: Handler(model, lambda event, data: submissions.dispatch(event, data, "kafka"))
                    for t, model in SUBMISSION_TYPES.items()
                },
                dead_letter=REGISTRY_REJECTED,
                # A submission or withdrawal already kept changes nothing (the revision is in the
                # initiative's history), so a redelivery needs no look-up first: one read less per
                # submission at ingest. Still recorded: REST asks, to answer ``duplicate: true``.
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
    ]
