"""Every subscription of scheduling, in one table."""

from services.scheduling.adapters.sources import SourceCopies
from services.scheduling.usecases.initiatives import FollowInitiatives
from shared.events.initiatives import INITIATIVE_EVENTS
from shared.events.sources import SOURCE_EVENTS
from shared.kafka.subscriptions import Subscription, follow
from shared.topics import REGISTRY_INITIATIVES, REGISTRY_SOURCES, SCHEDULING_DEADLETTER
from shared.vocabularies import VocabularyCopies, vocabulary_subscription


def subscriptions(initiatives: FollowInitiatives, vocabularies: VocabularyCopies, sources: SourceCopies) -> list[Subscription]:
    # The copies keep the newest version, so a repeat changes nothing: no processed-events look-up
    # per event (one read less for every initiative the registry tells).
    return [
        follow("initiatives", REGISTRY_INITIATIVES, INITIATIVE_EVENTS, initiatives.apply, SCHEDULING_DEADLETTER, dedup="none"),
        vocabulary_subscription(vocabularies, SCHEDULING_DEADLETTER),
        # publishers' keys (hashes only): whose key is whose at scheduling
        follow("sources", REGISTRY_SOURCES, SOURCE_EVENTS, sources.apply, SCHEDULING_DEADLETTER, dedup="none"),
    ]
