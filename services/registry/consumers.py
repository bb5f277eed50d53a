"""Every subscription of the registry, in one table."""

from services.registry.submissions import Submissions
from shared.events.initiatives import InitiativeSubmittedV1, InitiativeWithdrawnV1
from shared.kafka.consumer import Handler, Subscription
from shared.topics import REGISTRY_REJECTED, REGISTRY_SUBMISSIONS

SUBMISSION_TYPES = {m.event_type: m for m in (InitiativeSubmittedV1, InitiativeWithdrawnV1)}
DEDUP_SCOPE = "submissions"  # shared with REST, so one event id takes effect once whichever way it came


def subscriptions(submissions: Submissions) -> list[Subscription]:
    return [
        Subscription(
            name="submissions",
            topics=(REGISTRY_SUBMISSIONS,),
            handlers={
                t: Handler(model, lambda event, data: submissions.dispatch(event, data, "kafka"))
                for t, model in SUBMISSION_TYPES.items()
            },
            dead_letter=REGISTRY_REJECTED,
        )
    ]
