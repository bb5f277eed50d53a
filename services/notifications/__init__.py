"""Notifications: the right message, by email or SMS, in the reader's language.

- ``settings``: this service's settings.
- ``organizers``: its own copy of each initiative's organiser contact, for decision notices.
- ``consumers``: every subscription of the service, in one table.
- ``main``: the composition root.
"""
