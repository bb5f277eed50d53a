"""Notifications: the right message, by email or SMS, in the reader's language — once, never at night.

``domain/``: pure — a message's life (``messages``), pages of messages (``pages``), receipts,
quiet hours, message ids, SMS segments (``gsm7``), digests' interests, tokens, change notices,
subscriptions, the copies' decisions. ``usecases/``: the one send pipeline (``sending``: create,
render, hand over, record) with ``content`` and ``recipients``, ``send_together`` (messages due at
once), ``scheduler`` and ``triggers`` (events → messages, fan-outs by pages), ``digests``,
``privacy`` (erasure), ``withdrawals``. ``adapters/``: the stores (messages in pages, copies,
subscriptions, notices, organisers), the timer's buckets (``wake``), reads at once, SMTP and the
SMS gateway. ``api/``: the HTTP routes. ``consumers``: every subscription, one table. ``main``:
the composition root. ``render`` + ``templates/``: Jinja2 per category and language.
``devservers``: local SMTP sink and SMS gateway. See docs/notifications.md.
"""
