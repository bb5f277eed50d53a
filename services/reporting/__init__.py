"""Reporting: the unified picture, built only from events without personal data.

- ``settings``: this service's settings.
- ``figures``: the pure read model (initiative summaries → counts).
- ``projection``: applies registry events to the stored summaries, once each.
- ``api``: the HTTP routes.
- ``consumers``: every subscription of the service, in one table.
- ``main``: the composition root.
"""
