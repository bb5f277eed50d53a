"""Local stand-ins for development and tests: an SMTP sink and an SMS gateway speaking the protocol.
*Lokala testservrar: en SMTP-mottagare och en sms-gateway som räknar allt de tar emot.*

Both are real servers on 127.0.0.1 (nothing is faked inside the service): the SMTP sink is aiosmtpd's
``Controller`` (a test dependency) in process and ``smtp_server`` (RFC 5321, with pipelining) in the
standalone process, the gateway a small Starlette app under uvicorn implementing the batch
protocol in ``adapters/sms_gateway.py`` — including deduplication on ``client_ref`` and one delivery receipt
per message to the service's webhook. ``behaviour`` answers a whole request with garbage (``"garbage"``),
refuses it (``"refuse"``: 400) or fails it temporarily (``"unavailable"``: 503); a non-``+`` number is
refused in its own result.

In-process (tests): ``SmtpSink().start()`` / ``sink.received`` / ``sink.to(address)``, and ``async with
SmsGateway(...).running(): gateway.requests / gateway.messages``; with ``gateway.held = asyncio.Event()`` each
request's messages are recorded, then the request is answered once the test sets the event (a hand-over in progress).

As its own process (the chaos run, benchmarks) — the contract::

    python -m services.notifications.devservers --smtp-port P --sms-port Q [--webhook-url URL] [--smtp-stall-s S]

runs both until SIGTERM (or SIGINT); it prints ``devservers ready smtp=P sms=Q`` on stdout once
both listen. Then:

- ``POST http://127.0.0.1:Q/messages`` — the SMS gateway protocol, 1 to 500 messages a request (docs/notifications.md);
- ``GET http://127.0.0.1:Q/_received`` → 200 JSON, EVERY reception in arrival order, repeats
  included, so duplicates are countable::

      {"emails": [{"message_id": "<the service's message id>", "to": "...", "subject": "..."}, ...],
       "sms": [{"message_id": "<client_ref>", "client_ref": "...", "to": "...", "text": "...",
                "accepted": true}, ...],
       "email_count": <len(emails)>, "sms_requests": <len(sms)>}

  ``?counts=1``: the two counts only (a run polling its progress need not copy every reception).

  An email's ``message_id`` is read from its ``Message-ID: <{message_id}@oppna.malmo.se>``
  header (``adapters/smtp.py``; the id of ``message_ids.py``, stable across retries and
  restarts); an SMS's is its ``client_ref``. Each message of each batch is one entry (``sms_requests``
  counts messages); ``accepted`` is false for messages refused (non-``+`` number). The gateway
  deduplicates ``client_ref`` for its *answers* and receipts (one gateway id), but lists every one here.
- ``DELETE http://127.0.0.1:Q/_received`` → 204, forgets all receptions (and the dedup table).

``--smtp-stall-s S`` makes the sink wait S seconds before answering each DATA (the message is
recorded only after the wait): a kill of the service during the wait lands while it is sending.
"""

from services.notifications.devservers.ports import free_port
from services.notifications.devservers.sms_gateway import SmsGateway
from services.notifications.devservers.smtp_sink import SmtpSink, read_headers, service_message_id

__all__ = ["SmsGateway", "SmtpSink", "free_port", "read_headers", "service_message_id"]
