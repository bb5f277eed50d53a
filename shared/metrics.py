"""Prometheus metrics every service exposes at /metrics (prometheus-client, the reference client)."""

from prometheus_client import Counter, Gauge, Histogram

EVENTS_HANDLED = Counter(
    "om_events_handled_total", "Events consumed, by outcome.", ["consumer", "type", "outcome"]
)
HANDLER_SECONDS = Histogram(
    "om_handler_seconds", "Time a handler took for one event.", ["consumer"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
DEAD_LETTERS = Counter("om_dead_letters_total", "Messages sent to a dead-letter topic.", ["consumer", "code"])
UNATTRIBUTED_DEAD_LETTERS = Counter(
    "om_dead_letters_unattributed_total", "Dead letters whose source could not be read (no publisher can be shown them).", ["consumer", "code"]
)
CONSUMER_LAG = Gauge("om_consumer_lag", "Messages behind the end of the partition.", ["consumer", "topic", "partition"])
OUTBOX_PUBLISHED = Counter("om_outbox_published_total", "Events the outbox relay published.", ["collection"])
CONTACTS_ERASED = Counter(
    "om_contacts_erased_total",
    "Registrants' contacts erased, by the service deleting its copy and why (retention: CONTACT_RETENTION_DAYS after the session ended; request: the person or staff asked).",
    ["service", "reason"],
)
