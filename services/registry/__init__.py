"""Registry: publishers' initiatives under one umbrella, every revision kept.

- ``settings``: this service's settings.
- ``domain``: pure decisions on an initiative (which revision counts, what is emitted).
- ``submissions``: the use case both edges call (Kafka consumer and REST).
- ``api``: the HTTP routes.
- ``consumers``: every subscription of the service, in one table.
- ``main``: the composition root.
"""
