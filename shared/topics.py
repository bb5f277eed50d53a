"""The topic catalogue: every topic of the platform, its owner and how long the broker keeps it.

Names follow ``<owner>.<stream>.v<N>`` (docs/architecture.md, "Topics and contracts"). A settings'
``topic_prefix`` is put in front of each at run time, so test runs on a shared broker do not meet.
Only names and properties here (a domain module may name a topic); creating them on the broker,
with their ``configs``, is ``shared/kafka/topic_admin.py``'s.

How long each is kept is decided by who replays it (docs/architecture.md, the topic table):

- ``KEPT``: forever. Reporting's rebuild and every follower's copy replay from offset 0, and their
  decisions need more than the newest event of a key (the earliest review decision of an
  initiative, every registration of a session's key, every delivery and answer counted once).
- ``COMPACTED``: the newest event of each key, forever. Only where every event carries its
  aggregate's whole state under the aggregate's key and every follower keeps the newest, so the
  newest per key rebuilds exactly; on the contacts topics an erasure's tombstone or
  ``contact_erased`` is that newest value (a tombstone kept ``RESTORE_WINDOW_DAYS``).
- ``days(n)``: deleted after n days. Topics nothing rebuilds from: the rendered messages for the
  gateways (personal data, read within seconds), and inputs and dead letters, which a restore of
  an older database backup replays from the offsets the backup recorded (docs/reliability.md,
  "Backup and restore"): kept ``RESTORE_WINDOW_DAYS``, the oldest backup a restore can catch up from.

Every topic states its retention, so none depends on the broker's default (168 hours locally,
7 days on a stock cluster).
"""

from dataclasses import dataclass, field

DAY_MS = 24 * 60 * 60 * 1000
RESTORE_WINDOW_DAYS = 30
KEPT: dict[str, str] = {"cleanup.policy": "delete", "retention.ms": "-1"}
COMPACTED: dict[str, str] = {"cleanup.policy": "compact"}


def days(n: int) -> dict[str, str]:
    """Time-based retention of ``n`` days."""
    return {"cleanup.policy": "delete", "retention.ms": str(n * DAY_MS)}


RESTORE_WINDOW = days(RESTORE_WINDOW_DAYS)
# Contacts: compacted, and an erasure's tombstone kept as long as the restore window (Kafka's
# default is a day): a follower that is behind, or rewound by a restore, still sees the erasure
# after the contact it erases was compacted away.
CONTACTS = {**COMPACTED, "delete.retention.ms": RESTORE_WINDOW["retention.ms"]}
MESSAGES_FOR_GATEWAYS = days(7)


@dataclass(frozen=True)
class Topic:
    """A topic; ``configs`` are its broker topic configs (``retention.ms``, ``cleanup.policy``), as
    ``ensure_topics`` sets them and the AsyncAPI bindings and cluster manifests state them."""

    name: str
    owner: str
    description: str
    configs: dict[str, str] = field(hash=False, compare=False)
    personal_data: bool = False

    @property
    def compacted(self) -> bool:
        return self.configs.get("cleanup.policy") == "compact"

    @property
    def kept_forever(self) -> bool:
        """Nothing is ever deleted by time: kept whole, or compacted to the newest of each key."""
        return self.compacted or self.configs.get("retention.ms") == "-1"


REGISTRY_SUBMISSIONS = Topic("registry.submissions.v1", "registry", "Initiatives submitted and withdrawn by publishers.", RESTORE_WINDOW)
# One per publisher, {publisher} its principal's user name (services/registry/domain/inbox.py): a
# name pattern, not one topic, so not in ALL_TOPICS; made with the publisher's principal and ACL.
REGISTRY_INBOX = Topic("registry.inbox.{publisher}.v1", "registry", "A publisher's own submissions and withdrawals: only its principal may write its inbox, so the inbox proves the publisher.", RESTORE_WINDOW)
REGISTRY_REJECTED = Topic("registry.submissions.rejected.v1", "registry", "Submissions that failed validation, verbatim, with reasons.", RESTORE_WINDOW)
REGISTRY_INITIATIVES = Topic("registry.initiatives.v1", "registry", "Every change of an initiative, with its full current state (no contact).", KEPT)
REGISTRY_CONTACTS = Topic("registry.contacts.v1", "registry", "Organisers' business contacts by initiative, for notifications only.", CONTACTS, personal_data=True)
REGISTRY_REPORTS = Topic("registry.reports.v1", "registry", "Each change of an outcome report: status and figures; the whole report once published.", COMPACTED)
REGISTRY_GRANTS = Topic("registry.grants.v1", "registry", "Each edition's grants (SEK by initiative), keyed by the edition.", COMPACTED)
NOTIFICATIONS_FEEDBACK = Topic("notifications.feedback.v1", "notifications", "Anonymous feedback answers by session; comments a curator released.", KEPT)
REGISTRY_VOCABULARIES = Topic("registry.vocabularies.v1", "registry", "Each vocabulary's full current state (terms, labels, retired), keyed by its name.", COMPACTED)
REGISTRY_SOURCES = Topic("registry.sources.v1", "registry", "Each publisher's full current state (kind, names, active, its keys as SHA-256 only), keyed by its source URI.", COMPACTED)
SCHEDULING_SESSIONS = Topic("scheduling.sessions.v1", "scheduling", "Sessions of the forum programme.", KEPT)
SCHEDULING_REGISTRATIONS = Topic("scheduling.registrations.v1", "scheduling", "Registrations, without personal data.", KEPT)
SCHEDULING_CONTACTS = Topic("scheduling.contacts.v1", "scheduling", "Registrants' contacts, for notifications only.", CONTACTS, personal_data=True)
NOTIFICATIONS_EMAIL = Topic("notifications.email.v1", "notifications", "Rendered emails for gateways.", MESSAGES_FOR_GATEWAYS, personal_data=True)
NOTIFICATIONS_SMS = Topic("notifications.sms.v1", "notifications", "Rendered SMS for gateways.", MESSAGES_FOR_GATEWAYS, personal_data=True)
NOTIFICATIONS_RECEIPTS = Topic("notifications.receipts.v1", "notifications", "Gateways' delivery receipts.", RESTORE_WINDOW)
NOTIFICATIONS_DELIVERIES = Topic("notifications.deliveries.v1", "notifications", "Delivery counts by channel, language and category.", KEPT)
REPORTING_STATISTICS = Topic("reporting.statistics.v1", "reporting", "Published statistics snapshots.", KEPT)
REGISTRY_DEADLETTER = Topic("registry.deadletter.v1", "registry", "Other services' events the registry could not process (editions), with reasons; publishers' refusals go to registry.submissions.rejected.v1.", RESTORE_WINDOW)
SCHEDULING_DEADLETTER = Topic("scheduling.deadletter.v1", "scheduling", "Messages scheduling could not process, with reasons.", RESTORE_WINDOW)
NOTIFICATIONS_DEADLETTER = Topic("notifications.deadletter.v1", "notifications", "Messages notifications could not process, with reasons.", RESTORE_WINDOW)
REPORTING_DEADLETTER = Topic("reporting.deadletter.v1", "reporting", "Messages reporting could not process, with reasons.", RESTORE_WINDOW)

ALL_TOPICS: tuple[Topic, ...] = (
    REGISTRY_SUBMISSIONS,
    REGISTRY_REJECTED,
    REGISTRY_INITIATIVES,
    REGISTRY_CONTACTS,
    REGISTRY_VOCABULARIES,
    REGISTRY_REPORTS,
    REGISTRY_GRANTS,
    NOTIFICATIONS_FEEDBACK,
    REGISTRY_SOURCES,
    SCHEDULING_SESSIONS,
    SCHEDULING_REGISTRATIONS,
    SCHEDULING_CONTACTS,
    NOTIFICATIONS_EMAIL,
    NOTIFICATIONS_SMS,
    NOTIFICATIONS_RECEIPTS,
    NOTIFICATIONS_DELIVERIES,
    REPORTING_STATISTICS,
    REGISTRY_DEADLETTER,
    SCHEDULING_DEADLETTER,
    NOTIFICATIONS_DEADLETTER,
    REPORTING_DEADLETTER,
)
