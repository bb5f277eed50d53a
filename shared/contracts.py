"""The platform's contracts for integrators: each service's channels and messages, and the
whole platform's, rendered by shared/contract_documents.py.

A service's contract is a list of ``Channel``s; add yours to ``CONTRACTS``. The committed files
under ``contracts/<service>/`` are what integrators read; a test regenerates them in memory and
fails when they drift from the models. Regenerate with:

    .venv/bin/python -m shared.contracts            # writes contracts/<service>/…
"""

import argparse
import sys
from pathlib import Path

from shared.contract_documents import Channel, ServiceContract, render
from shared.events.dead_letters import MessageFailedV1, MessageRejectedV1
from shared.events.feedback import FEEDBACK_EVENTS
from shared.events.grants import GRANT_EVENTS
from shared.events.initiatives import CONTACT_EVENTS, INITIATIVE_EVENTS, InitiativeSubmittedV1, InitiativeWithdrawnV1
from shared.events.notifications import (
    DeliveryCountedV1,
    EmailRequestedV1,
    NotificationDeadLetteredV1,
    NotificationDeliveredV1,
    NotificationFailedV1,
    SmsRequestedV1,
)
from shared.events.reporting import StatisticsPublishedV1
from shared.events.reports import REPORT_EVENTS, ReportSubmittedV1
from shared.events.sources import SOURCE_EVENTS
from shared.events.scheduling import REGISTRATION_EVENTS, SESSION_EVENTS, RegistrationContactRecordedV1
from shared.events.vocabularies import VOCABULARY_EVENTS
from shared.topics import (
    NOTIFICATIONS_DEADLETTER,
    NOTIFICATIONS_DELIVERIES,
    NOTIFICATIONS_EMAIL,
    NOTIFICATIONS_FEEDBACK,
    NOTIFICATIONS_RECEIPTS,
    NOTIFICATIONS_SMS,
    REGISTRY_CONTACTS,
    REGISTRY_DEADLETTER,
    REGISTRY_GRANTS,
    REGISTRY_INBOX,
    REGISTRY_INITIATIVES,
    REGISTRY_REJECTED,
    REGISTRY_REPORTS,
    REGISTRY_SOURCES,
    REGISTRY_SUBMISSIONS,
    REGISTRY_VOCABULARIES,
    REPORTING_DEADLETTER,
    REPORTING_STATISTICS,
    SCHEDULING_CONTACTS,
    SCHEDULING_DEADLETTER,
    SCHEDULING_REGISTRATIONS,
    SCHEDULING_SESSIONS,
)

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS_DIR = ROOT / "contracts"

DEAD_LETTERS = (MessageRejectedV1, MessageFailedV1)

REGISTRY = ServiceContract(
    service="registry",
    title="Öppna Malmö — registry",
    description=(
        "Publishers send initiatives on their own inbox registry.inbox.{publisher}.v1, signed in as their own Kafka principal "
        "(CloudEvents 1.0, structured JSON or binary mode; an event naming another source is refused as source_mismatch); "
        "registry.submissions.v1 takes the same from the city's own trusted producers only; "
        "the registry tells every change, with the full current state but never the organiser's contact, on "
        "registry.initiatives.v1; the contact only on the compacted, restricted registry.contacts.v1 (for notifications); and "
        "refused messages, verbatim with reasons, on registry.submissions.rejected.v1. "
        "Utgivare skickar initiativ; registret berättar varje ändring med hela tillståndet."
    ),
    channels=(
        Channel(REGISTRY_INBOX, "receive", (InitiativeSubmittedV1, InitiativeWithdrawnV1, ReportSubmittedV1), key="the publisher's external_id (keeps one initiative's revisions in order)", binary=True),
        Channel(REGISTRY_SUBMISSIONS, "receive", (InitiativeSubmittedV1, InitiativeWithdrawnV1, ReportSubmittedV1), key="the publisher's external_id (keeps one initiative's revisions in order)", binary=True),
        Channel(REGISTRY_INITIATIVES, "send", INITIATIVE_EVENTS, key="the registry's initiative_id"),
        Channel(REGISTRY_CONTACTS, "send", CONTACT_EVENTS, key="the registry's initiative_id; contact_erased is the newest value after an erasure"),
        # Editions' submission windows, to mark late submissions; sessions' starts, as an outcome report waits for the first.
        Channel(SCHEDULING_SESSIONS, "receive", SESSION_EVENTS, key="the edition's or session's id"),
        Channel(REGISTRY_REJECTED, "send", (MessageRejectedV1, MessageFailedV1), key="the refused message's CloudEvents source ('unknown' when unreadable)"),
        Channel(REGISTRY_VOCABULARIES, "send", VOCABULARY_EVENTS, key="the vocabulary's name (compacted: the newest of a name is its whole state)"),
        Channel(REGISTRY_SOURCES, "send", SOURCE_EVENTS, key="the source's URI (compacted: the newest of a source is its whole state)"),
        Channel(REGISTRY_REPORTS, "send", REPORT_EVENTS, key="the initiative's id (free text only once published)"),
        Channel(REGISTRY_GRANTS, "send", GRANT_EVENTS, key="the edition's id (compacted: the newest of an edition is its whole grant book)"),
        Channel(REGISTRY_DEADLETTER, "send", DEAD_LETTERS, key="the refused message's CloudEvents source"),
    ),
)

INITIATIVES_IN = Channel(REGISTRY_INITIATIVES, "receive", INITIATIVE_EVENTS, key="the registry's initiative_id")
VOCABULARIES_IN = Channel(REGISTRY_VOCABULARIES, "receive", VOCABULARY_EVENTS, key="the vocabulary's name")
SESSIONS_IN = Channel(SCHEDULING_SESSIONS, "receive", SESSION_EVENTS, key="the edition's or session's id")
REGISTRATIONS_IN = Channel(SCHEDULING_REGISTRATIONS, "receive", REGISTRATION_EVENTS, key="the session's id")

SCHEDULING = ServiceContract(
    service="scheduling",
    title="Öppna Malmö — scheduling",
    description=(
        "The forum period's programme: editions and sessions on scheduling.sessions.v1, registrations "
        "without personal data on scheduling.registrations.v1, and registrants' contacts only on the "
        "compacted, restricted scheduling.contacts.v1 (a null value erases a contact). "
        "Forumperiodens program, anmälningar utan personuppgifter, och kontaktuppgifter bara på det skyddade ämnet."
    ),
    channels=(
        INITIATIVES_IN,
        VOCABULARIES_IN,
        # Publishers' keys (hashes only), so a publisher's key is its source's at scheduling too.
        Channel(REGISTRY_SOURCES, "receive", SOURCE_EVENTS, key="the source's URI"),
        # Published outcome reports, for the public knowledge bank.
        Channel(REGISTRY_REPORTS, "receive", REPORT_EVENTS, key="the initiative's id"),
        Channel(SCHEDULING_SESSIONS, "send", SESSION_EVENTS, key="the edition's or session's id"),
        Channel(SCHEDULING_REGISTRATIONS, "send", REGISTRATION_EVENTS, key="the session's id"),
        Channel(SCHEDULING_CONTACTS, "send", (RegistrationContactRecordedV1,), key="the registration's id; a null value (tombstone) erases it"),
        Channel(SCHEDULING_DEADLETTER, "send", DEAD_LETTERS, key="the refused message's CloudEvents source"),
    ),
)

NOTIFICATIONS = ServiceContract(
    service="notifications",
    title="Öppna Malmö — notifications",
    description=(
        "Fully rendered messages for gateways on notifications.email.v1 and notifications.sms.v1 "
        "(deduplicate on message_id; respect not_before and expires_at), receipts back on "
        "notifications.receipts.v1, and counts without recipients on notifications.deliveries.v1. "
        "Färdiga meddelanden för e-post- och sms-gateways, kvitton tillbaka, och antal utan mottagare."
    ),
    channels=(
        INITIATIVES_IN,
        VOCABULARIES_IN,
        SESSIONS_IN,
        REGISTRATIONS_IN,
        Channel(SCHEDULING_CONTACTS, "receive", (RegistrationContactRecordedV1,), key="the registration's id"),
        Channel(REGISTRY_CONTACTS, "receive", CONTACT_EVENTS, key="the registry's initiative_id"),
        Channel(REGISTRY_REPORTS, "receive", REPORT_EVENTS, key="the initiative's id (a report exists: no more reminders)"),
        Channel(REGISTRY_SOURCES, "receive", SOURCE_EVENTS, key="the source's URI (publishers' keys: an organiser reads its released comments)"),
        Channel(NOTIFICATIONS_EMAIL, "send", (EmailRequestedV1,), key="the message_id"),
        Channel(NOTIFICATIONS_SMS, "send", (SmsRequestedV1,), key="the message_id"),
        Channel(NOTIFICATIONS_RECEIPTS, "receive", (NotificationDeliveredV1, NotificationFailedV1), key="the message_id", binary=True),
        Channel(NOTIFICATIONS_DELIVERIES, "send", (DeliveryCountedV1,), key="the message_id"),
        Channel(NOTIFICATIONS_FEEDBACK, "send", FEEDBACK_EVENTS, key="the session's id (anonymous: nothing names the person)"),
        Channel(NOTIFICATIONS_DEADLETTER, "send", (*DEAD_LETTERS, NotificationDeadLetteredV1), key="the message_id or the refused message's source"),
    ),
)

REPORTING = ServiceContract(
    service="reporting",
    title="Öppna Malmö — reporting",
    description=(
        "Follows every topic without personal data and publishes suppressed statistics snapshots on "
        "reporting.statistics.v1 when an edition closes and on a schedule. "
        "Följer alla ämnen utan personuppgifter och publicerar statistik med skydd för små tal."
    ),
    channels=(
        INITIATIVES_IN,
        VOCABULARIES_IN,
        SESSIONS_IN,
        REGISTRATIONS_IN,
        Channel(NOTIFICATIONS_DELIVERIES, "receive", (DeliveryCountedV1,), key="the message_id"),
        Channel(REGISTRY_GRANTS, "receive", GRANT_EVENTS, key="the edition's id (the newest is the whole grant book)"),
        Channel(REGISTRY_REPORTS, "receive", REPORT_EVENTS, key="the initiative's id (figures only are kept)"),
        Channel(NOTIFICATIONS_FEEDBACK, "receive", FEEDBACK_EVENTS, key="the session's id (answers counted, comments' text not kept)"),
        Channel(REPORTING_STATISTICS, "send", (StatisticsPublishedV1,), key="the edition's id"),
        Channel(REPORTING_DEADLETTER, "send", DEAD_LETTERS, key="the refused message's CloudEvents source"),
    ),
)


def platform_contract(services: tuple[ServiceContract, ...]) -> ServiceContract:
    """One document with every channel and message of the platform: the integration guide.

    Each topic appears once, as its owner sends it; a topic the platform only receives (the
    publishers' submissions, the gateways' receipts) appears as received.
    """
    by_topic: dict[str, Channel] = {}
    for contract in services:
        for c in contract.channels:
            if c.action == "send" or c.topic.name not in by_topic:
                by_topic[c.topic.name] = c
    sends = {c.topic.name for contract in services for c in contract.channels if c.action == "send"}
    channels = tuple(
        Channel(c.topic, "send" if name in sends else "receive", c.messages, c.key, c.binary) for name, c in sorted(by_topic.items())
    )
    return ServiceContract(
        service="platform",
        title="Öppna Malmö — every channel and message",
        description=(
            "Every Kafka topic of the Öppna Malmö platform with its CloudEvents types. Topics named "
            "*.contacts.*, notifications.email.v1 and notifications.sms.v1 carry personal data and are "
            "restricted. Alla Kafka-ämnen och händelsetyper i plattformen."
        ),
        channels=channels,
    )


# Every service's contract, by service name, and the whole platform's.
SERVICES = (REGISTRY, SCHEDULING, NOTIFICATIONS, REPORTING)
CONTRACTS: dict[str, ServiceContract] = {c.service: c for c in (*SERVICES, platform_contract(SERVICES))}


def write(contract: ServiceContract, root: Path = CONTRACTS_DIR) -> list[Path]:
    out = []
    for rel, text in render(contract).items():
        path = root / contract.service / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("services", nargs="*", help=f"default: all ({', '.join(CONTRACTS)})")
    args = parser.parse_args(argv)
    for name in args.services or list(CONTRACTS):
        if name not in CONTRACTS:
            print(f"no contract for {name!r}; known: {', '.join(CONTRACTS)}", file=sys.stderr)
            return 2
        for path in write(CONTRACTS[name]):
            print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
