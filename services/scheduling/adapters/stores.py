"""Where scheduling's documents live: the collections, their indexes, and the fields lifted to
the top level of a document for the queries that find it (FerretDB pushes down only equality
on top-level fields: a filter on ``state.…`` is evaluated in its own process over every document).

Aggregates (one writer per document, through the aggregate store): ``editions``, ``venues``,
``sessions``, ``contacts``, and the copies of the registry's ``initiatives``, ``sources`` and
vocabularies.
``registrations`` is not an aggregate: one insert-only document per registration, written by
the seat desk (``adapters/records.py``).
"""

from services.scheduling.domain.states import ContactState
from shared.db.aggregates import aggregate_indexes
from shared.db.indexes import IndexSpec
from shared.vocabularies import COLLECTION as VOCABULARIES

EDITIONS, VENUES, SESSIONS, CONTACTS, INITIATIVES, SOURCES = "editions", "venues", "sessions", "contacts", "initiatives", "sources"
REPORTS = "reports"  # the registry's outcome reports, for the knowledge bank
REGISTRATIONS = "registrations"
WITH_OUTBOX = (EDITIONS, SESSIONS, CONTACTS)  # the aggregates whose events the relay publishes

INDEXES = [
    *(spec for collection in (INITIATIVES, SOURCES, REPORTS, VOCABULARIES, EDITIONS, VENUES, SESSIONS, CONTACTS) for spec in aggregate_indexes(collection)),
    IndexSpec(REGISTRATIONS, (("_id", 1),)),
    # a session's registrations (the schedulers' list), one by its code (check-in), one by its key (a repeat)
    IndexSpec(REGISTRATIONS, (("session_id", 1), ("code", 1))),
    IndexSpec(REGISTRATIONS, (("idempotency_ref", 1),)),
    IndexSpec(CONTACTS, (("session_id", 1),)),  # the contacts of a session past its retention
]


def contact_fields(state: ContactState) -> dict:
    """A contact's top-level ``session_id``: what the retention sweep finds a session's contacts by."""
    return {"session_id": state["session_id"]} if state.get("session_id") else {}
