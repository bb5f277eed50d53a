"""The registry's pure rules: no I/O, no clock, no randomness (``now`` comes in).

- ``states``: the TypedDict of each aggregate's state (initiative, source, vocabulary, edition copy).
- ``initiatives``: which revision counts, withdrawals, what a publisher's change emits.
- ``review``: curators' steps (the stamp) and the material change rule for approved work.
- ``contacts``: erasing an organiser's contact in every revision.
- ``events``: the outbound events of a change (full public state, id from the version).
- ``readers``: who sees what of an initiative.
- ``sources``, ``vocabularies``: the decisions on publishers' keys and on vocabulary terms.
- ``editions``: which submissions are late for their edition.
- ``reports``: outcome reports — who may file when, revisions, curators' steps, their events;
  ``session_starts``: when an initiative's first session begins (the copy a report waits for).
- ``refusals``: what a decision returns (as its outcome) when a step cannot be taken.
"""
