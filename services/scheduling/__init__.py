"""Scheduling: the forum period's programme and residents' registrations.

- ``settings``: this service's settings.
- ``initiatives``: its own copy of the registry's initiatives (which ones are stamped).
- ``consumers``: every subscription of the service, in one table.
- ``main``: the composition root.
"""
