"""`make chaos`: the platform under faults, checked by counting.

A second, private platform (its own Kafka, PostgreSQL, FerretDB and the four services, on
other ports and in ``.cache/chaos/``) takes a stream of submissions, registrations and
programme changes while its processes are killed and its engines restarted; afterwards every
promise is counted (``checks.py``) and every log, topic and database is scanned for residents'
details (``privacy.py``). ``python -m chaos --size full|reduced``; see docs/reliability.md.
"""
