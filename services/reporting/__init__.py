"""Reporting: the unified picture, built only from events without personal data (docs/reporting.md).

- ``settings``: this service's settings (suppression threshold, snapshot schedule).
- ``model``: pure: what is kept of each aggregate, and the in-memory read model.
- ``figures``: pure: group-bys, rates, medians and trends over the read model, suppressed.
- ``suppression``: pure: primary and secondary small-number suppression.
- ``exports``, ``labels``, ``charts``: pure: CSV, JSON-stat 2.0, sv/en labels, SVG bar charts.
- ``projection``: applies events to the stored summaries (one writer), then to the model.
- ``consumers``: every subscription of the service, in one table.
- ``snapshots``: statistics snapshots on reporting.statistics.v1.
- ``rebuild``: replays the topics from offset 0 into a fresh database and compares.
- ``api``, ``dashboard``: the HTTP routes and the dashboard page.
- ``main``: the composition root.
"""
