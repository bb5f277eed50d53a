"""Reporting: the unified picture, built only from events without personal data (docs/reporting.md).

- ``main``: the composition root; ``settings``: the suppression threshold, the snapshot schedule.
- ``domain``: pure: the stored states and the decisions on them, the read model, the areas'
  measures and items, the figures, their small-number suppression, trends, labels, snapshots.
- ``usecases``: the projection (events → stored summaries → model), the rebuild and its
  replay, the statistics snapshots.
- ``adapters``: the stores' collections, the event facts read, exports (CSV, JSON-stat), the
  dashboard page and its charts.
- ``api``: the HTTP routes, one module per area; ``consumers``: every subscription, in one table.
"""
