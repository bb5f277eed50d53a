"""The platform's own package: event contracts and the plumbing every service shares.

Modules, by what they hold:
- ``settings``: the settings every service has (endpoints, timeouts, pool sizes).
- ``logs``: structlog set-up, JSON when not on a terminal.
- ``envelope``: the CloudEvents 1.0 structured-mode envelope and its strict parsing.
- ``topics``: the topic catalogue and topic creation.
- ``events``: one frozen pydantic model per event type.
- ``decisions``: what a pure decision returns (``Decision``, ``Pending``), free of I/O types.
- ``kafka``: the idempotent producer and the consumer runner (retries, dead letters, dedup).
- ``db``: the MongoDB client, declared indexes (backed on FerretDB), the keyed aggregate writer,
  the outbox relay and the processed-event log.
- ``web``: health, readiness and metrics endpoints.
"""
