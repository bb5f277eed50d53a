"""Scheduling: the forum period's programme and residents' registrations (docs/scheduling.md).

- ``domain/``: pure (no I/O, no clock): the aggregates' states (``states``), the conflict check
  (``conflicts``), automatic placement (``placement``), seats, sessions, schedules, editions,
  initiatives, retention, accessibility, identity, texts. Decisions return their outcome.
- ``usecases/``: ``planning`` and ``session_planning`` (the schedulers'), ``registrations``,
  ``seat_desk`` (a session's registrations, group-committed), ``erasure``, ``retention`` (its
  sweep), ``initiatives`` (following the registry's).
- ``adapters/``: the stores' wiring (``stores``), the registrations' documents (``records``),
  the copy of the initiatives, the programme read model (in memory), ``rendered`` feeds, ``ics``.
- ``api/``: one module-level router per area, ``deps`` (what routes take from ``app.state``),
  ``errors``; ``consumers``: every subscription, one table.
Composition root: ``main``; settings: ``settings``.
"""
