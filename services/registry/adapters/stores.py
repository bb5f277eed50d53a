"""Where the registry keeps what: its collections and the indexes they need.

Aggregates (changed only through their ``AggregateStore``): initiatives (found by the top-level
fields ``search.lifted`` writes with every change), sources, vocabularies, and the copy of
scheduling's editions; outcome reports and the copy of sessions' starts (``reports``). Not an aggregate: the rejections (``rejections``), each inserted once.
"""

from services.registry.adapters import rejections, reports, search
from shared.db.aggregates import aggregate_indexes
from shared.db.indexes import IndexSpec

INITIATIVES = "initiatives"
SOURCES = "sources"
VOCABULARIES = "vocabularies"
EDITIONS = "editions"
GRANTS = "grants"  # one grant book per edition (domain/grants.py)
REJECTIONS = rejections.COLLECTION
REPORTS = reports.REPORTS
SESSION_STARTS = reports.SESSION_STARTS

INDEXES = [
    *aggregate_indexes(INITIATIVES),
    *search.indexes(INITIATIVES),
    *aggregate_indexes(SOURCES),
    IndexSpec(SOURCES, (("state.keys.key_id", 1),)),  # an API key's source (``Sources.resolve``)
    *aggregate_indexes(VOCABULARIES),
    *rejections.INDEXES,
    *aggregate_indexes(REPORTS),
    *reports.INDEXES,
    *aggregate_indexes(SESSION_STARTS),
    *aggregate_indexes(GRANTS),
]
