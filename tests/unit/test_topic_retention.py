"""Each topic's retention, as the catalogue declares it: whatever a rebuild or a follower's copy
replays from offset 0 is kept forever (whole, or compacted to each key's newest state), personal
data only briefly, and no topic is left to the broker's default."""

import inspect

from services.reporting.consumers import subscriptions as reporting_subscriptions
from services.reporting.domain.model import ReadModel
from services.reporting.usecases.replay import InMemoryProjection
from services.notifications.consumers import subscriptions as notifications_subscriptions
from services.registry.consumers import subscriptions as registry_subscriptions
from services.scheduling.consumers import subscriptions as scheduling_subscriptions
from shared.contract_documents import topic_configuration
from shared.topics import ALL_TOPICS, DAY_MS, REGISTRY_INITIATIVES, RESTORE_WINDOW, RESTORE_WINDOW_DAYS, SCHEDULING_REGISTRATIONS


class Anything:
    """Stands in for the use cases: the subscriptions only take their bound methods."""

    def __getattr__(self, name):
        return lambda *args: None


def replayed_topics() -> set[str]:
    """The topics reporting's rebuild and scheduling's copies read from offset 0."""
    subs = reporting_subscriptions(InMemoryProjection(ReadModel()))
    subs += scheduling_subscriptions(*(Anything() for _ in inspect.signature(scheduling_subscriptions).parameters))
    return {t.name for s in subs for t in s.topics}


def test_every_topic_states_its_policy_and_none_is_left_to_the_broker_default():
    for topic in ALL_TOPICS:
        assert topic.configs["cleanup.policy"] in ("delete", "compact"), topic.name
        if not topic.compacted:
            assert "retention.ms" in topic.configs, f"{topic.name} would get the broker's default retention"


def test_what_a_rebuild_replays_is_kept_forever():
    replayed = replayed_topics()
    assert {"registry.initiatives.v1", "scheduling.registrations.v1", "registry.vocabularies.v1"} <= replayed
    short = sorted(t.name for t in ALL_TOPICS if t.name in replayed and not t.kept_forever)
    assert short == [], f"rebuilt from, yet deleted by time: {short}"


def test_every_subscribed_topic_is_kept_forever_but_the_inputs_a_restore_catches_up_from():
    # The registry's and notifications' subscriptions too: a new replica, a restore's rewind or a
    # lost copy reads them again. Only what an owner takes into its own state (publishers'
    # submissions, its own refusals, the gateways' receipts) is an input kept the restore window.
    inputs = {"registry.submissions.v1", "registry.submissions.rejected.v1", "notifications.receipts.v1"}
    read: set[str] = set()
    for subscriptions in (registry_subscriptions, notifications_subscriptions, scheduling_subscriptions):
        for sub in subscriptions(*(Anything() for _ in inspect.signature(subscriptions).parameters)):
            read |= {t.name for t in (sub[0] if isinstance(sub, tuple) else sub).topics}
    assert inputs < read
    by_name = {t.name: t for t in ALL_TOPICS}
    assert sorted(name for name in read - inputs if not by_name[name].kept_forever) == []
    assert all(by_name[name].configs == RESTORE_WINDOW for name in inputs)


def test_only_whole_state_topics_are_compacted():
    # A registration's events are keyed by the session (one session's stay in order): compacting
    # would keep one registration per session. An initiative's earliest review decision is not in
    # its newest event. Both are kept whole.
    assert not SCHEDULING_REGISTRATIONS.compacted and SCHEDULING_REGISTRATIONS.kept_forever
    assert not REGISTRY_INITIATIVES.compacted and REGISTRY_INITIATIVES.kept_forever


def test_personal_data_is_compacted_or_kept_a_week_at_most():
    for topic in (t for t in ALL_TOPICS if t.personal_data):
        if not topic.compacted:
            assert 0 < int(topic.configs["retention.ms"]) <= 7 * DAY_MS, topic.name


def test_the_asyncapi_binding_states_the_retention():
    assert topic_configuration(REGISTRY_INITIATIVES) == {"cleanup.policy": ["delete"], "retention.ms": -1}
    contacts = next(t for t in ALL_TOPICS if t.name == "scheduling.contacts.v1")
    assert topic_configuration(contacts) == {"cleanup.policy": ["compact"], "delete.retention.ms": RESTORE_WINDOW_DAYS * DAY_MS}


def test_an_erasure_outlives_the_restore_window():
    # A follower rewound by a restore to a 30-day-old backup must still meet the tombstone that
    # erases a contact it holds: Kafka's default keeps a tombstone one day.
    for topic in (t for t in ALL_TOPICS if t.personal_data and t.compacted):
        assert int(topic.configs["delete.retention.ms"]) >= RESTORE_WINDOW_DAYS * DAY_MS, topic.name
