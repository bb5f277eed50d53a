"""Registry: every publisher's initiatives under one umbrella, reviewed and stamped.

Pure rules (no I/O, ``now`` passed in):
- ``domain``: which revision counts, withdrawals, what a publisher's change emits.
- ``review``: curators' steps (the stamp) and the material change rule for approved work.
- ``events``: the outbound event of a change (full public state, id from the version).
- ``vocabularies`` / ``sources``: the decisions on vocabulary terms and on publishers' keys
  (each module also holds its small store adapter).
Use cases: ``submissions`` (both edges: Kafka and REST), ``curation`` (review steps).
Reads: ``search`` (filters, free text, cursor pages, the work list), ``rejections`` (each
source's dead letters, followed from the registry's own rejected topic).
Edges: ``api`` (publishers and readers), ``api_curation`` (curators; a source about itself),
``consumers`` (every subscription, in one table). ``main`` is the composition root; ``settings``
includes the test-only fault hook ``FAULT_EXIT_AFTER_WRITE``.
"""
