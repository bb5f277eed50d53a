"""Notifications: the right message, by email or SMS, in the reader's language — once, never at night.

Pure rules: ``quiet_hours`` (when an SMS may go, when a message expires), ``message_ids``,
``gsm7`` (SMS segments), ``digest`` (interests), ``tokens`` (signed links and codes),
``render`` + ``templates/`` (Jinja2 per category and language).
State (each through the keyed writer): ``messages`` (the durable message store), ``copies``
(scheduling's aggregates and contacts), ``subscriptions`` (double opt-in, consents),
``notices`` (debounced change notices), ``organizers``.
Use cases: ``triggers`` (events → messages), ``digests``, ``dispatcher`` (render, publish,
deliver, retry, dead-letter), ``recipients``, ``privacy`` (erasure), ``withdrawals`` (a
registration cancelled while its session's fan-out runs).
Edges: ``consumers`` (every subscription, one table), ``api`` (HTTP), ``adapters/`` (SMTP,
SMS gateway). ``main``: the composition root. ``devservers``: local SMTP sink and SMS gateway.
See docs/notifications.md.
"""
