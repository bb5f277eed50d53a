"""The topic catalogue: every topic of the platform, its owner and how it is kept.

Names follow ``<owner>.<stream>.v<N>`` (docs/architecture.md, "Topics and contracts"). A settings'
``topic_prefix`` is put in front of each at run time, so test runs on a shared broker do not meet.
Only names and properties here (a domain module may name a topic); creating them on the broker
is ``shared/kafka/topic_admin.py``'s.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str
    owner: str
    description: str
    compacted: bool = False
    personal_data: bool = False


REGISTRY_SUBMISSIONS = Topic("registry.submissions.v1", "registry", "Initiatives submitted and withdrawn by publishers.")
REGISTRY_REJECTED = Topic("registry.submissions.rejected.v1", "registry", "Submissions that failed validation, verbatim, with reasons.")
REGISTRY_INITIATIVES = Topic("registry.initiatives.v1", "registry", "Every change of an initiative, with its full current state (no contact).")
REGISTRY_CONTACTS = Topic("registry.contacts.v1", "registry", "Organisers' business contacts by initiative, for notifications only.", compacted=True, personal_data=True)
REGISTRY_REPORTS = Topic("registry.reports.v1", "registry", "Each change of an outcome report: status and figures; the whole report once published.")
REGISTRY_GRANTS = Topic("registry.grants.v1", "registry", "Each edition's grants (SEK by initiative), keyed by the edition.", compacted=True)
NOTIFICATIONS_FEEDBACK = Topic("notifications.feedback.v1", "notifications", "Anonymous feedback answers by session; comments a curator released.")
REGISTRY_VOCABULARIES = Topic("registry.vocabularies.v1", "registry", "Each vocabulary's full current state (terms, labels, retired), keyed by its name.", compacted=True)
REGISTRY_SOURCES = Topic("registry.sources.v1", "registry", "Each publisher's full current state (kind, names, active, its keys as SHA-256 only), keyed by its source URI.", compacted=True)
SCHEDULING_SESSIONS = Topic("scheduling.sessions.v1", "scheduling", "Sessions of the forum programme.")
SCHEDULING_REGISTRATIONS = Topic("scheduling.registrations.v1", "scheduling", "Registrations, without personal data.")
SCHEDULING_CONTACTS = Topic("scheduling.contacts.v1", "scheduling", "Registrants' contacts, for notifications only.", compacted=True, personal_data=True)
NOTIFICATIONS_EMAIL = Topic("notifications.email.v1", "notifications", "Rendered emails for gateways.", personal_data=True)
NOTIFICATIONS_SMS = Topic("notifications.sms.v1", "notifications", "Rendered SMS for gateways.", personal_data=True)
NOTIFICATIONS_RECEIPTS = Topic("notifications.receipts.v1", "notifications", "Gateways' delivery receipts.")
NOTIFICATIONS_DELIVERIES = Topic("notifications.deliveries.v1", "notifications", "Delivery counts by channel, language and category.")
REPORTING_STATISTICS = Topic("reporting.statistics.v1", "reporting", "Published statistics snapshots.")
REGISTRY_DEADLETTER = Topic("registry.deadletter.v1", "registry", "Other services' events the registry could not process (editions), with reasons; publishers' refusals go to registry.submissions.rejected.v1.")
SCHEDULING_DEADLETTER = Topic("scheduling.deadletter.v1", "scheduling", "Messages scheduling could not process, with reasons.")
NOTIFICATIONS_DEADLETTER = Topic("notifications.deadletter.v1", "notifications", "Messages notifications could not process, with reasons.")
REPORTING_DEADLETTER = Topic("reporting.deadletter.v1", "reporting", "Messages reporting could not process, with reasons.")

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
