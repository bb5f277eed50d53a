"""Every subscription of scheduling, in one table."""

from shared.sources import SourceCopies
from services.scheduling.usecases.initiatives import FollowInitiatives
from services.scheduling.usecases.knowledge import KnowledgeBank
from shared.events.initiatives import INITIATIVE_EVENTS
from shared.events.reports import REPORT_EVENTS
from shared.events.sources import SOURCE_EVENTS
from shared.kafka.subscriptions import Subscription, follow
from shared.topics import REGISTRY_INITIATIVES, REGISTRY_REPORTS, REGISTRY_SOURCES, SCHEDULING_DEADLETTER
from shared.vocabularies import VocabularyCopies, vocabulary_subscription


def subscriptions(initiatives: FollowInitiatives, vocabularies: VocabularyCopies, sources: SourceCopies,
                  knowledge: KnowledgeBank) -> list[Subscription]:
    # The copies keep the newest version, so a repeat changes nothing: no processed-events look-up
    # per event (one read less for every initiative the registry tells).
    return [
        follow("initiatives", REGISTRY_INITIATIVES, INITIATIVE_EVENTS, initiatives.apply, SCHEDULING_DEADLETTER, dedup="none"),
        vocabulary_subscription(vocabularies, SCHEDULING_DEADLETTER),
        # publishers' keys (hashes only): whose key is whose at scheduling
        follow("sources", REGISTRY_SOURCES, SOURCE_EVENTS, sources.apply, SCHEDULING_DEADLETTER, dedup="none"),
        # published outcome reports, for the public knowledge bank
        follow("reports", REGISTRY_REPORTS, REPORT_EVENTS, knowledge.apply, SCHEDULING_DEADLETTER, dedup="none"),
    ]
