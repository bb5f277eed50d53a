"""structlog set-up, once per process: JSON lines when not on a terminal.

Personal data never goes into a log: handlers bind ids (event, trace, aggregate), never
names, addresses or numbers.
"""

import logging
import sys

import structlog


def configure_logging(service: str, level: str = "info", json: bool | None = None) -> None:
    if json is None:
        json = not sys.stderr.isatty()
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    logging.basicConfig(level=level.upper(), stream=sys.stderr, format="%(message)s")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)


def bound_to(event) -> "structlog.contextvars.bound_contextvars":
    """Bind an event's id, trace and subject to every log line written while handling it."""
    return structlog.contextvars.bound_contextvars(event_id=event.id, trace=event.traceparent, subject=event.subject)
