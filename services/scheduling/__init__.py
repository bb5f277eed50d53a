"""Scheduling: the forum period's programme and residents' registrations (docs/scheduling.md).

Pure decisions (no I/O, no clock):
- ``conflicts``: the conflict check every scheduling write and every placement goes through.
- ``placement``: automatic placement with OR-Tools CP-SAT, verified by ``conflicts``.
- ``seats``: confirm, waitlist, cancel, promote, check in.
- ``editions``, ``sessions``: decisions on an edition's and a session's document, and their events.
Use cases: ``planning`` (editions, venues, sessions, placement, closed initiatives) and
``registrations`` (register, private link, check-in, erasure).
Read model: ``programme`` (in memory). Formats: ``ics``, ``templates/`` + ``texts`` (the page).
Edges: ``api/`` (one router per area), ``consumers`` (every subscription, one table).
Composition root: ``main``; settings: ``settings``; copy of the registry's initiatives: ``initiatives``.
"""
