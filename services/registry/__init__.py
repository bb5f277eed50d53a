"""Registry: every publisher's initiatives under one umbrella, reviewed and stamped.

- ``domain``: the pure rules (states, decisions, who sees what; no I/O, ``now`` passed in).
- ``usecases``: submissions (both edges: Kafka and REST), curation (review steps), organisers'
  contacts, sources, vocabularies: each loads through a store, decides, saves.
- ``adapters``: collections and indexes (``stores``), queries (``search``), the copy of scheduling's
  editions, each source's dead letters (``rejections``, followed from the registry's own rejected topic).
- ``api``: one router per area, the dependencies in ``api.deps``; ``consumers``: every subscription.
``main`` is the composition root; ``settings`` includes the test-only fault hook ``FAULT_EXIT_AFTER_WRITE``.
"""
