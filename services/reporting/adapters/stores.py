"""Reporting's stored documents: the collections, their indexes, and the stores of the summaries.

Every summary and fact is an aggregate document (``shared/db/aggregates.py``) written by one
keyed writer, the live projection (``usecases/projection.py``); the rebuild writes a fresh
database in the same layout (``usecases/replay.py``), so the projection can take it over.
"""

from collections.abc import Callable

from shared.db.aggregates import AggregateStore, aggregate_indexes
from shared.db.indexes import IndexSpec

# The read model's kinds (``domain/model.py``) → their collections.
COLLECTIONS = {
    "initiatives": "initiative_summaries",
    "sessions": "session_summaries",
    "registrations": "registration_summaries",
    "editions": "edition_summaries",
    "deliveries": "delivery_outcomes",
    "grants": "grant_books",
    "reports": "report_summaries",
    "answers": "feedback_answers",
    "comments": "released_comments",
}
SNAPSHOTS = "published_snapshots"  # the statistics snapshots published, by event id

INDEXES: list[IndexSpec] = [spec for c in [*COLLECTIONS.values(), SNAPSHOTS] for spec in aggregate_indexes(c)]


def summary_stores(aggregate: Callable[[str], AggregateStore]) -> dict[str, AggregateStore]:
    """The store of each kind of the read model; ``aggregate``: the store of a collection
    (``Runtime.aggregate`` in the service)."""
    return {kind: aggregate(c) for kind, c in COLLECTIONS.items()}
