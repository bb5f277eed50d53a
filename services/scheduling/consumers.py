"""Every subscription of scheduling, in one table: the shared ones (each event taken by one
replica: the copies, the sessions a closed initiative cancels), then the ones every replica reads
for what it keeps in memory (``usecases/replicas.py``)."""

from shared.sources import SourceCopies
from services.scheduling.usecases.initiatives import FollowInitiatives
from services.scheduling.usecases.knowledge import KnowledgeBank
from services.scheduling.usecases.replicas import ProgrammeFollower
from shared.events.initiatives import INITIATIVE_EVENTS
from shared.events.reports import REPORT_EVENTS
from shared.events.scheduling import REGISTRATION_EVENTS, SESSION_EVENTS
from shared.events.sources import SOURCE_EVENTS
from shared.kafka.subscriptions import Handler, Subscription, follow
from shared.topics import (
    REGISTRY_INITIATIVES,
    REGISTRY_REPORTS,
    REGISTRY_SOURCES,
    SCHEDULING_DEADLETTER,
    SCHEDULING_REGISTRATIONS,
    SCHEDULING_SESSIONS,
)
from shared.vocabularies import VocabularyCopies, vocabulary_subscription


def subscriptions(initiatives: FollowInitiatives, vocabularies: VocabularyCopies, sources: SourceCopies,
                  knowledge: KnowledgeBank, follower: ProgrammeFollower) -> list[Subscription]:
    # The copies keep the newest version, so a repeat changes nothing: no processed-events look-up
    # per event (one read less for every initiative the registry tells).
    return [
        follow("initiatives", REGISTRY_INITIATIVES, INITIATIVE_EVENTS, initiatives.apply, SCHEDULING_DEADLETTER, dedup="none"),
        vocabulary_subscription(vocabularies, SCHEDULING_DEADLETTER),
        # publishers' keys (hashes only): whose key is whose at scheduling
        follow("sources", REGISTRY_SOURCES, SOURCE_EVENTS, sources.apply, SCHEDULING_DEADLETTER, dedup="none"),
        # published outcome reports, for the public knowledge bank
        follow("reports", REGISTRY_REPORTS, REPORT_EVENTS, knowledge.apply, SCHEDULING_DEADLETTER, dedup="none"),
        *every_replica(sources, knowledge, follower),
    ]


def every_replica(sources: SourceCopies, knowledge: KnowledgeBank, follower: ProgrammeFollower) -> list[Subscription]:
    """Read by every replica, each in a group of its own: memory only, the newest version wins. The
    shared subscriptions above letter what the registry's topics bring and none can take; the
    programme's own topics have no shared twin here, so it letters."""
    own_events = {m.event_type: Handler(m, follower.state) for m in SESSION_EVENTS}
    own_events |= {m.event_type: Handler(m, follower.registration) for m in REGISTRATION_EVENTS}
    return [
        Subscription("programme", (SCHEDULING_SESSIONS, SCHEDULING_REGISTRATIONS), own_events, SCHEDULING_DEADLETTER,
                     unknown_types="skip", dedup="none", every_replica=True),
        follow("initiatives-texts", REGISTRY_INITIATIVES, INITIATIVE_EVENTS, follower.initiative, SCHEDULING_DEADLETTER,
               dedup="none", every_replica=True, letters=False),
        follow("sources-keys", REGISTRY_SOURCES, SOURCE_EVENTS, sources.remember, SCHEDULING_DEADLETTER, dedup="none", every_replica=True,
               letters=False),
        follow("reports-bank", REGISTRY_REPORTS, REPORT_EVENTS, knowledge.remember, SCHEDULING_DEADLETTER, dedup="none", every_replica=True,
               letters=False),
    ]
